"""An account's area: the communities or the street it answers for, and the grids they cover.

One database may hold a whole street or district (grids carry their community and street: migration 030).
Who sees which part is the account's scope, by role (SCOPE_FIELDS):

- a secretary (社区书记): one or more communities, by name, with a street when two streets have a
  community of that name;
- a street officer (街道): one street, every community in it;
- a planner: one street, or everything when none is given;
- a grid leader: the grids listed on the account (gridgov.accounts), as before;
- the administrator: no community data at all.

The server turns the scope into the grids it covers (`grids_of`) for every request, and the registry, the
case queries and row-level security (gridgov.rls, the same policies as a grid leader's) all work from that
list. A scope whose communities have no grid loaded covers nothing, and is refused rather than read as
"everything". A wall device (gridgov.devices) is scoped as a secretary is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import psycopg

from gridgov.access import Role
from gridgov.errors import InputError

COMMUNITIES = "communities"
STREET = "street"
GRIDS = "grids"
# which fields of an account scope it, by role; the first is required (planner: none required, street optional)
SCOPE_FIELDS: Mapping[Role, tuple[str, ...]] = {
    Role.SECRETARY: (COMMUNITIES, STREET),
    Role.STREET_OFFICER: (STREET,),
    Role.PLANNER: (STREET,),
    Role.GRID_LEADER: (GRIDS,),
    Role.WALL_DEVICE: (COMMUNITIES, STREET),
    Role.ADMIN: (),
}
_REQUIRED: Mapping[Role, str] = {Role.SECRETARY: COMMUNITIES, Role.STREET_OFFICER: STREET,
                                 Role.GRID_LEADER: GRIDS, Role.WALL_DEVICE: COMMUNITIES}


@dataclass(frozen=True)
class Area:
    """Communities (by name) and a street: what a secretary, street officer, planner or wall device answers for."""

    communities: tuple[str, ...] = ()
    street: str | None = None

    @property
    def everything(self) -> bool:
        """No limit at all: a planner without a street (or the app's own whole-area computations)."""
        return not self.communities and self.street is None

    def label(self, separator: str = "、") -> str:
        """How the area is named on a page: its communities, else its street; empty for everything."""
        if self.communities:
            return separator.join(self.communities)
        return self.street or ""


def grids_of(conn: psycopg.Connection, area: Area) -> tuple[str, ...]:
    """The grid codes the area covers, by code (every grid for `everything`)."""
    rows = conn.execute(
        "SELECT grid_code FROM grids"
        " WHERE (cardinality(%(communities)s::text[]) = 0 OR community_name = ANY (%(communities)s::text[]))"
        "   AND (%(street)s::text IS NULL OR street_name = %(street)s::text)"
        " ORDER BY grid_code",
        {"communities": list(area.communities), "street": area.street},
    ).fetchall()
    return tuple(r[0] for r in rows)


def communities(conn: psycopg.Connection, street: str | None = None) -> list[tuple[str | None, str]]:
    """(street, community) of every community loaded (of one street), by street and name."""
    return [
        (r[0], r[1])
        for r in conn.execute(
            "SELECT DISTINCT street_name, community_name FROM grids WHERE %(street)s::text IS NULL"
            " OR street_name = %(street)s::text ORDER BY street_name NULLS LAST, community_name",
            {"street": street},
        )
    ]


def streets(conn: psycopg.Connection) -> list[str]:
    """Every street the loaded grids name, by name."""
    return [r[0] for r in conn.execute(
        "SELECT DISTINCT street_name FROM grids WHERE street_name IS NOT NULL ORDER BY street_name")]


def check(conn: psycopg.Connection, role: Role, names: Sequence[str] = (), street: str | None = None) -> Area:
    """The area of an account or device of `role` with communities `names` and `street`, or an InputError saying why not."""
    names = tuple(dict.fromkeys(n.strip() for n in names if n.strip()))
    street = street.strip() if street and street.strip() else None
    fields = SCOPE_FIELDS.get(role, ())
    if names and COMMUNITIES not in fields:
        raise InputError(f"a {role.value} is not tied to communities (--community is for a secretary or a wall device)")
    if street and STREET not in fields:
        raise InputError(f"a {role.value} is not tied to a street (--street is for a street officer, a planner"
                         " or to tell apart two communities of the same name)")
    required = _REQUIRED.get(role)
    if required == COMMUNITIES and not names:
        raise InputError(f"a {role.value} needs at least one community (--community NAME)")
    if required == STREET and not street:
        raise InputError(f"a {role.value} needs a street (--street NAME)")
    if street and street not in streets(conn):
        loaded = "、".join(streets(conn)) or "none: the grid file has no street column"
        raise InputError(f"no street {street!r} is loaded; streets: {loaded}")
    known = communities(conn, street)
    for name in names:
        found = sorted({s or "—" for s, c in known if c == name})
        if not found:
            where = f" in street {street}" if street else ""
            listed = "、".join(sorted({c for _, c in known})) or "none loaded"
            raise InputError(f"no community {name!r} is loaded{where}; communities: {listed}")
        if len(found) > 1:
            raise InputError(f"community {name!r} is in {len(found)} streets ({'、'.join(found)}): add --street NAME")
    return Area(names, street)
