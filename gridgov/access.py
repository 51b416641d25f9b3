"""Who may see what: the one role type and the whole access policy, as data, with the one function to ask it.

Every front-end asks `decide(role, resource)` and gets a Decision: allowed or
not, and for which grids in which form (its Scope: its area, own grids only,
or de-identified). A resource is named by a string, so the kernel needs to
know nothing of the layers or pages it governs:

    page:/wall                 a page of the dashboard (PAGES; LANDING says where each role lands after sign-in)
    api:ogc                    the OGC API – Features endpoint (`gridgov api`); api:cases, api:case_events,
                               api:open311, api:intake: the case API and the Open311 intake (dashboard.caseapi)
    data_urls                  the dashboard's layer data URLs (/data/<layer>…, with any filter; not the grids' shapes)
    downloads                  the dashboard's de-identified files (/data/<layer>.geojson, .gpkg)
    community_data             any of the community's data at all (a registry Viewer); its scope is the role's grids
    unplaced_cases             the cases with no grid yet (no placeable location), waiting in the queue
    layer:visits               a layer's per-grid numbers
    layer:visits:details       a layer's detail features (points, cells)
    personal_columns           detail columns naming or reaching a person (PERSONAL_COLUMNS)

`layers.registry` checks each layer against this policy as it registers it:
a layer must have a rule here, details granted need a detail function, and a
layer whose details carry personal columns may show them only to whom
`personal_columns` allows, in that scope. Unknown resources are refused.

A wall device (WALL_DEVICE) is no person's account: it is the wall screen's
own sign-in (gridgov.devices), allowed the wall page and the per-grid numbers
the wall shows, and nothing else: no other page, no data URL or download, no
API, nothing personal. Accounts have the roles in ACCOUNT_ROLES. Systems are
no accounts either: a token (gridgov.tokens) of scope intake, unit or read acts
as INTAKE_SYSTEM, UNIT_SYSTEM or READ_SYSTEM (SYSTEM_ROLES), which the policy
allows the case API and the Open311 intake only, never a page.

"Its area" is the account's communities or street (gridgov.areas), which the
server turns into a list of grids for every request, exactly as a grid
leader's own grids are: the same checks, the same row-level security.

The database enforces the grid leader's "own grids only" a second time, with
row-level security that cannot import this module: migration 010 makes the
role `gridgov_grid_reader` and its policies on OWN_GRID_TABLES (reading), 011
the one on `visits` (recording a visit in the field), and 020 those on the
cases and their events (THROUGH_OWN_CASES); gridgov.rls opens a
grid leader's transactions as that role. tests/test_access_policy.py checks
the database's policies against OWN_GRID_TABLES, and README.md's table (from
`markdown()`) against this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum, StrEnum


class Role(StrEnum):
    """What an account is for, and so who is looking."""

    SECRETARY = "secretary"  # 社区书记: every grid of their communities, never a person's point
    STREET_OFFICER = "street_officer"  # 街道: every community of their street, as a secretary sees one
    GRID_LEADER = "grid_leader"  # 网格员: the grids listed on the account, with household-level detail
    PLANNER = "planner"  # 规划: de-identified numbers of every grid (or of one street), and exports
    ADMIN = "admin"  # 管理员: the accounts and the audit trail, no community data
    WALL_DEVICE = "wall_device"  # 大屏设备: a wall screen's own sign-in, the wall page only (never an account)
    # systems calling the case API with a token (gridgov.tokens): never an account, never a session
    INTAKE_SYSTEM = "intake_system"  # the 12345 platform: files requests (Open311), follows them de-identified
    UNIT_SYSTEM = "unit_system"  # a unit's own system: the cases its unit is called in on (吹哨报到)
    READ_SYSTEM = "read_system"  # another system that only reads, de-identified


class Scope(StrEnum):
    """For which grids, in which form, an allowed resource is shown."""

    ALL_GRIDS = "its area"  # every grid of the account's area (gridgov.areas): communities, a street, or all
    OWN_GRIDS = "own grids"  # the grids listed on a grid leader's account
    DEIDENTIFIED = "de-identified"  # every grid of its area, small counts withheld, no personal data
    CALLED_IN = "called in"  # the cases a unit is called in on (escalated to it), wherever they are


class Access(IntEnum):
    """How much of a layer a role may see."""

    NONE = 0
    AGGREGATE = 1  # per-grid numbers
    DETAIL = 2  # per-grid numbers and the layer's detail features


@dataclass(frozen=True)
class Decision:
    """The policy's answer: allowed or not, and the scope (None when refused, or for a page with no grid data)."""

    allowed: bool
    scope: Scope | None = None


REFUSED = Decision(False)

# role -> scope; a role not listed is refused. None: allowed, with no grid data in it (the administrator's page)
Grants = Mapping[Role, Scope | None]

_S, _L, _P, _A, _W = Role.SECRETARY, Role.GRID_LEADER, Role.PLANNER, Role.ADMIN, Role.WALL_DEVICE
_SO = Role.STREET_OFFICER
ACCOUNT_ROLES = frozenset({_S, _SO, _L, _P, _A})  # what a person's account may be (the users table's CHECK)
_IS, _US, _RS = Role.INTAKE_SYSTEM, Role.UNIT_SYSTEM, Role.READ_SYSTEM
SYSTEM_ROLES = frozenset({_IS, _US, _RS})  # a token's scope (api_tokens.scope); no page, no landing, no session
_ALL, _OWN, _DEID = Scope.ALL_GRIDS, Scope.OWN_GRIDS, Scope.DEIDENTIFIED


@dataclass(frozen=True)
class LayerRule:
    """Who may see a layer's per-grid numbers and its detail features, and in which scope."""

    numbers: Grants
    details: Grants


PAGES: Mapping[str, Grants] = {
    "/": {_S: _ALL, _SO: _ALL},
    "/wall": {_S: _ALL, _SO: _ALL, _W: _ALL},
    "/street": {_SO: _ALL},  # the street officer's ranking of the street's communities, each opening its wall
    "/grid": {_L: _OWN},
    "/cases": {_L: _OWN},  # the grid leader's cases on the phone: list, history, act, raise
    "/queue": {_S: _ALL, _SO: _ALL},  # the secretary's case queue: place, reassign, verify, close, reopen
    "/export": {_P: _DEID},
    "/admin": {_A: None},
}
LANDING: Mapping[Role, str] = {_S: "/wall", _SO: "/street", _L: "/grid", _P: "/export", _A: "/admin", _W: "/wall"}
APIS: Mapping[str, Grants] = {
    "ogc": {_S: _DEID, _SO: _DEID, _P: _DEID},
    "cases": {_S: _ALL, _SO: _ALL, _L: _OWN, _US: Scope.CALLED_IN, _IS: _DEID, _RS: _DEID},  # GET /api/v1/cases…
    "case_events": {_S: _ALL, _SO: _ALL, _L: _OWN, _US: Scope.CALLED_IN, _IS: _ALL},  # POST /api/v1/cases/<id>/events
    "open311": {_IS: _DEID, _RS: _DEID},  # GET /open311/v2/…: services and requests, de-identified
    "intake": {_IS: _ALL},  # POST /open311/v2/requests.json: file a request, placed in its grid
}

UNPLACED_CASES = "unplaced_cases"  # cases with no grid yet, waiting to be placed by hand in the queue
DATA_URLS = "data_urls"
DOWNLOADS = "downloads"
COMMUNITY_DATA = "community_data"
PERSONAL = "personal_columns"
PERSONAL_COLUMNS = frozenset({"household_id", "head_name", "id_number", "phone", "content", "notes", "visitor"})
DATA: Mapping[str, Grants] = {
    COMMUNITY_DATA: {_S: _ALL, _SO: _ALL, _L: _OWN, _P: _DEID, _W: _ALL},
    DATA_URLS: {_S: _ALL, _SO: _ALL, _L: _OWN, _P: _DEID},
    DOWNLOADS: {_P: _DEID},
    PERSONAL: {_L: _OWN},  # each view is written to the audit table
    UNPLACED_CASES: {_S: _ALL, _SO: _ALL},  # no grid, so no area: whoever places cases by hand sees them all
}

_NUMBERS: Grants = {_S: _ALL, _SO: _ALL, _L: _OWN, _P: _DEID, _W: _ALL}  # a wall device: what the wall's map and tiles show
_PERSONAL_DETAILS: Grants = {_L: _OWN}  # households' or people's rows: the grid's own leader only
LAYERS: Mapping[str, LayerRule] = {
    "special_groups": LayerRule(_NUMBERS, _PERSONAL_DETAILS),
    "visits": LayerRule(_NUMBERS, _PERSONAL_DETAILS),
    "hazards": LayerRule(_NUMBERS, {_S: _ALL, _SO: _ALL, _L: _OWN}),
    "facilities": LayerRule(_NUMBERS, {_S: _ALL, _SO: _ALL, _L: _OWN, _P: _ALL}),  # public places
    "complaints": LayerRule(_NUMBERS, _PERSONAL_DETAILS),
    "complaint_hotspots": LayerRule(_NUMBERS, {}),
    "emerging_hotspots": LayerRule(_NUMBERS, {}),
    "complaint_density": LayerRule(_NUMBERS, {_S: _ALL, _SO: _ALL, _L: _OWN}),  # hexagon counts, never points
}

# what row-level security lets a grid leader's connection read of their own grids only (migrations 010, 011, 020),
# and the tables whose rows it reads only through their case, which must be one of those grids' (020)
OWN_GRID_TABLES = frozenset({"households", "complaints", "hazards", "visits", "facilities", "cases"})
THROUGH_OWN_CASES = frozenset({"case_events", "case_escalations", "case_photos"})
# own grids too, by their grid_code, but written only in the field (none in a loaded file): a visit's undo (022)
OWN_GRID_FIELD_EVENTS = frozenset({"visit_undos"})


def page(path: str) -> str:
    """The resource name of the dashboard's page at `path`."""
    return f"page:{path}"


def api(name: str) -> str:
    """The resource name of an API (`ogc`)."""
    return f"api:{name}"


def layer(name: str, level: Access = Access.AGGREGATE) -> str:
    """The resource name of a layer's numbers (AGGREGATE) or details (DETAIL)."""
    return f"layer:{name}:details" if level is Access.DETAIL else f"layer:{name}"


def _rules() -> dict[str, Grants]:
    rules: dict[str, Grants] = {page(path): grants for path, grants in PAGES.items()}
    rules |= {api(name): grants for name, grants in APIS.items()}
    rules |= DATA
    for name, rule in LAYERS.items():
        rules |= {layer(name): rule.numbers, layer(name, Access.DETAIL): rule.details}
    return rules


RULES: Mapping[str, Grants] = _rules()
"""Every resource and its grants, in the order of the table."""


def decide(role: Role, resource: str) -> Decision:
    """Whether `role` may have `resource`, and in which scope; refused for a resource the policy does not name."""
    grants = RULES.get(resource, {})
    return Decision(True, grants[role]) if role in grants else REFUSED


def allowed_roles(resource: str) -> frozenset[Role]:
    """The roles that may have `resource`."""
    return frozenset(role for role in Role if decide(role, resource).allowed)


def own_grids_only(role: Role) -> bool:
    """Whether what `role` sees of the community is limited to the grids on the account (a grid leader)."""
    return decide(role, COMMUNITY_DATA).scope is Scope.OWN_GRIDS


def layer_access(role: Role, name: str) -> Access:
    """How much of the layer `name` the role may see."""
    for level in (Access.DETAIL, Access.AGGREGATE):
        if decide(role, layer(name, level)).allowed:
            return level
    return Access.NONE


def markdown() -> str:
    """The whole policy as a Markdown table: a row per resource, a column per role, each cell the scope or —."""

    def cell(role: Role, resource: str) -> str:
        decision = decide(role, resource)
        return ("yes" if decision.scope is None else str(decision.scope)) if decision.allowed else "—"

    lines = [
        "| resource | " + " | ".join(role.value for role in Role) + " |",
        "|---" * (len(Role) + 1) + "|",
    ]
    for resource in RULES:
        lines.append(f"| `{resource}` | " + " | ".join(cell(role, resource) for role in Role) + " |")
    landing = (f"`{LANDING[role]}`" if role in LANDING else "—" for role in Role)
    lines.append("| lands on after sign-in | " + " | ".join(landing) + " |")
    return "\n".join(lines) + "\n"
