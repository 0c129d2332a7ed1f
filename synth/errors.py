"""The base of every error a user can fix: the CLI prints its message on one line and exits non-zero."""


class UserError(Exception):
    """Bad input or missing prerequisite; the message names the input and the fix."""
