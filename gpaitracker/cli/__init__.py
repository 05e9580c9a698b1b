"""The `gpaitracker` command line; it calls the same services as the window."""
