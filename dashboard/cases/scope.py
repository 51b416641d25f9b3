"""What the /cases callbacks and routes accept: the signed-in grid leader, a case id of the right shape.

Every callback of /cases starts here, on the server, from the session: no
sign-in is a 401, another role a 403, a value of the wrong shape a 400. Which
cases the leader reaches is row-level security's (gridgov.rls): another grid's
case is simply not found, and `found` makes that a 404, never its content.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from werkzeug.exceptions import NotFound as HttpNotFound

from dashboard.web.session import require_account
from gridgov import access
from gridgov.accounts import Account
from gridgov.errors import Forbidden, InputError, NotFound

PAGE = "/cases"
_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
MAX_TEXT = 1000  # characters of a note, a reason or a description


def leader() -> Account:
    """The signed-in account, which must be one the policy lets open /cases (a grid leader)."""
    account = require_account()
    if not access.decide(account.role, access.page(PAGE)).allowed:
        raise Forbidden(f"a {account.role.value} has no grid leader's case page")
    return account


def case_id(value: Any) -> str:
    """A case (or photo) id as sent: a short token of letters, digits, '_' and '-' (else a 400)."""
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise InputError("a case is named by its id")
    return value


def words(value: Any, name: str) -> str:
    """A text field as sent, stripped ('' when empty); a 400 for a value no form sends."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InputError(f"the {name} must be text")
    return value.strip()


@contextmanager
def found() -> Iterator[None]:
    """A case the leader cannot reach is a 404 (not told apart from one that does not exist)."""
    try:
        yield
    except NotFound:
        raise HttpNotFound() from None
