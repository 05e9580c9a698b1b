"""Moving the register in and out: spreadsheets, calendars, JSON and backup archives.

Plain data in, files out (and back): nothing here opens the register. The services in
`gpaitracker/services/` read the register, call these, and apply imports through the same
write services as any edit.
"""
