"""What a grid leader's page callbacks accept: the signed-in grid leader, one of their grids, known statuses.

Every callback of /grid starts here, on the server, from the session: no
sign-in is a 401, another role a 403, a grid the account does not lead a 403,
a value of the wrong shape a 400. Nothing the browser sends widens what the
account may see (the registry and row-level security check again below this).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dashboard.web.session import require_account
from gridgov import access
from gridgov.accounts import Account
from gridgov.errors import Forbidden, InputError


def leader() -> Account:
    """The signed-in account, which must be a grid leader."""
    account = require_account()
    if not access.decide(account.role, access.page("/grid")).allowed:
        raise Forbidden(f"a {account.role.value} has no grid leader's page")
    return account


def grids(value: Any) -> tuple[str, ...]:
    """The grids a picker value asks for: () for all of the leader's, else the one grid, which must be theirs."""
    account = leader()
    if value is None or value == "":
        return ()
    if not isinstance(value, str):
        raise InputError("a grid is one grid code")
    if value not in account.grids:
        raise Forbidden(f"a grid leader of {', '.join(account.grids)} may not see grid {value}")
    return (value,)


def statuses(value: Any, allowed: Iterable[str]) -> tuple[str, ...]:
    """The statuses a filter's value picks, in the order of `allowed` (a list of known statuses, else a 400)."""
    known = tuple(allowed)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError("statuses are a list of status names")
    unknown = set(value) - set(known)
    if unknown:
        raise InputError(f"unknown status {', '.join(sorted(unknown))}; statuses: {', '.join(known)}")
    return tuple(s for s in known if s in value)
