"""Domain errors; the CLI maps them to exit codes in one place (gridgov.cli)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Self

from gridgov.i18n import text


class GridgovError(Exception):
    """Base of every error a user can act on; its message says what to do.

    Its message is English (logs, the CLI, the case API). One made with `said` also keeps the catalogue key it
    was worded from and the values put into it, so an answer may give it in the asker's language (Open311)."""

    exit_code = 1
    key: str | None = None
    values: Mapping[str, object] = {}

    @classmethod
    def said(cls, key: str, **values: object) -> Self:
        """The error worded by the catalogue's `key` (for an error class whose only argument is its message)."""
        error = cls(text(key, "en", **values))
        error.key, error.values = key, values
        return error

    def words(self, lang: str) -> str:
        """The message in `lang` when it was worded from the catalogue, else as it was written."""
        return text(self.key, lang, **self.values) if self.key else str(self)


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
