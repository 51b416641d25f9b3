"""Domain errors; the CLI maps them to exit codes in one place (gridgov.cli)."""

from __future__ import annotations


class GridgovError(Exception):
    """Base of every error a user can act on; its message says what to do."""

    exit_code = 1


class SetupError(GridgovError):
    """The machine lacks something gridgov needs (a package, a user, a port)."""

    exit_code = 3


class DatabaseUnavailable(GridgovError):
    """The database cannot be reached."""

    exit_code = 4


class InputError(GridgovError):
    """A file a user handed us cannot be loaded at all; nothing was changed."""

    exit_code = 2


class Forbidden(GridgovError):
    """The user's role may not see what was asked (a layer, a grid, a level of detail)."""

    exit_code = 5


class Unauthenticated(GridgovError):
    """Nobody is signed in, or the session no longer names a usable account."""

    exit_code = 6


class NotFound(GridgovError):
    """What was asked for does not exist, or is outside what the asker may see (the two are not told apart)."""

    exit_code = 7
