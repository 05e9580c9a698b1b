"""Exceptions the user can act on. Their message is shown as is by the UI and the CLI."""


class UserError(Exception):
    """Base for errors caused by input or environment the user can fix."""


class ValidationError(UserError):
    """A value given for a field is not acceptable."""


class NotFoundError(UserError):
    """A key, email or id names nothing in the register."""


class PermissionDenied(UserError):
    """The acting person's role does not allow the change."""


class ConflictError(UserError):
    """Someone else changed the record since it was read."""


class Cancelled(UserError):
    """The user stopped long work (an import, an export, a report); nothing was kept."""


class StorageError(UserError):
    """The register file cannot be opened or written."""


class SchemaTooNewError(StorageError):
    """The register was written by a newer GPAI Tracker."""
