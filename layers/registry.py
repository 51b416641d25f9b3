"""The layer registry: every question the map, the exporter and the API can ask.

A layer is one module in layers/ that calls `register(Layer(...))` at import.
It says what it is called, which filters it accepts,
how to compute its per-grid aggregate (in PostGIS), what detail features it has,
how its legend reads. What each role may see of it is the access policy's
(gridgov.access), checked as the layer registers. Callers never import a
layer module (for the front-ends, dashboard and api, an import contract in
pyproject.toml checks it): they ask this registry, which also applies that
policy to the viewer's role and grids (`scope`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal

import geopandas as gpd
import pandas as pd
import psycopg

from gridgov import access, i18n
from gridgov.access import Access, Role, Scope
from gridgov.errors import Forbidden, InputError
from gridgov.settings import LayerSettings
from layers import _grids, answers, suppression
from layers.suppression import SUPPRESS_BELOW as SUPPRESS_BELOW  # the threshold, as the registry's callers know it
from layers.suppression import Rule

# The modules that hold the built-in layers, imported on first use of the registry.
BUILTIN = (
    "layers.special_groups",
    "layers.visits",
    "layers.hazards",
    "layers.facilities",
    "layers.complaints",
    "layers.hotspots",
    "layers.emerging",
    "layers.density",
)


@dataclass(frozen=True)
class Viewer:
    """The role and the grids a request is answered for; set by the server from the session.

    `grid_codes` limits what the viewer sees: a grid leader's own grids, or the grids of the account's area
    (a secretary's communities, a street officer's street: gridgov.areas). Empty: no limit (a planner of
    everything, or the app's own whole-area computations).

    A grid leader may lead several grids: `Viewer(role, grid_codes=("G01", "G02"))`. `Viewer(role, "G01")`
    still works and means `grid_codes=("G01",)`; `grid_code` is always the first of `grid_codes`.
    """

    role: Role
    grid_code: str | None = None
    grid_codes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        codes = tuple(dict.fromkeys(self.grid_codes or ((self.grid_code,) if self.grid_code else ())))
        if self.grid_code and self.grid_code not in codes:
            raise ValueError(f"grid_code {self.grid_code} is not one of grid_codes {codes}")
        object.__setattr__(self, "grid_codes", codes)
        object.__setattr__(self, "grid_code", codes[0] if codes else None)
        if access.own_grids_only(self.role) and not codes:
            raise ValueError("a grid leader's viewer needs their grid_code")


PERIODS = ("week", "month")
FILTERS = frozenset({"grids", "window", "categories", "statuses", "as_of", "period"})


@dataclass(frozen=True)
class Filters:
    """What the user chose. Empty tuples mean "all"; `end` is inclusive; dates are the community's calendar days."""

    grids: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None
    categories: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    as_of: date | None = None  # "today" for due/overdue; None: the current day in the community's time zone
    period: Literal["week", "month"] = "month"  # the time step of space-time layers

    def __post_init__(self) -> None:
        if self.start and self.end and self.start > self.end:
            raise InputError(f"the time window starts ({self.start}) after it ends ({self.end})")
        if self.period not in PERIODS:
            raise InputError(f"period must be one of {', '.join(PERIODS)}, not {self.period!r}")

    def used(self) -> set[str]:
        """Names (as in FILTERS) of the filters set to something other than their default."""
        out = set()
        if self.grids:
            out.add("grids")
        if self.start or self.end:
            out.add("window")
        if self.categories:
            out.add("categories")
        if self.statuses:
            out.add("statuses")
        if self.as_of:
            out.add("as_of")
        if self.period != "month":
            out.add("period")
        return out


@dataclass(frozen=True)
class Column:
    """One documented property of a layer's per-grid features."""

    name: str
    type: Literal["int", "float", "str"]
    label: str  # a key of the catalogue (gridgov.i18n), added by the layer's module


@dataclass(frozen=True)
class Legend:
    """How the map colours the layer: which property, what kind of scale, and the words and formula shown.

    The words are keys of the catalogue (gridgov.i18n): the title, the note (none: ""), and each category's.
    """

    property: str
    kind: Literal["count", "rate", "bin", "category"]
    title: str
    note: str = ""
    categories: tuple[tuple[str, str, str], ...] = ()  # (value, key of its name, colour) for kind bin/category
    # the values the note's placeholders take from this installation's settings (a limit, a weight), if any
    note_values: Callable[[LayerSettings], Mapping[str, str]] | None = None


def legend_note(layer: Layer, lang: str, settings: LayerSettings) -> str:
    """The layer's legend note in `lang`, with the values the settings put in it ("" when the layer has none)."""
    legend = layer.legend
    if not legend.note:
        return ""
    return i18n.text(legend.note, lang, **(legend.note_values(settings) if legend.note_values else {}))


i18n.add({
    "zh": {"household.household_id": "户编号", "household.address": "地址", "household.head_name": "户主", "household.phone": "电话"},
    "en": {
        "household.household_id": "household id",
        "household.address": "address",
        "household.head_name": "head of household",
        "household.phone": "phone",
    },
})
HOUSEHOLD_DETAIL = (
    Column("household_id", "str", "household.household_id"),
    Column("address", "str", "household.address"),
    Column("head_name", "str", "household.head_name"),
    Column("phone", "str", "household.phone"),
)
"""The first detail columns of every layer whose detail features are households."""


Aggregate = Callable[[psycopg.Connection, Filters, LayerSettings], pd.DataFrame]
Detail = Callable[[psycopg.Connection, Filters, LayerSettings], dict[str, Any]]


@dataclass(frozen=True)
class Layer:
    """One question the map can answer, per grid."""

    name: str
    label: str  # a key of the catalogue (gridgov.i18n), added by the layer's module
    accepts: frozenset[str]
    columns: tuple[Column, ...]
    aggregate: Aggregate  # a frame indexed by grid_code with one row per grid asked for, columns as `columns`
    legend: Legend
    detail: Detail | None = None  # a GeoJSON FeatureCollection for the grids in Filters.grids
    detail_columns: tuple[Column, ...] = ()
    # de-identified output (layers.suppression): which columns are counts, how they add up, what is derived
    # from them; a layer with no counts declares none (facilities: the planner may see every facility's point)
    suppress: Rule = field(default_factory=Rule)
    # the layer's counts alone, per grid, as `aggregate` gives them, when computing the whole aggregate is
    # costly (Gi*): the de-identified output asks them per category to keep differences of questions safe
    counts: Aggregate | None = None
    # a grid's answer depends on other grids' rows (a neighbourhood statistic): it cannot be computed on a
    # connection that sees only some grids' rows, such as a grid leader's under row-level security
    whole_area: bool = False
    # the answer depends on the clock, not only on the date (a pending complaint turns late as time passes):
    # a kept answer is recomputed after this many seconds (layers.answers); None: kept until the data changes
    fresh_for: float | None = None
    # the tables the layer's answers are computed from: a kept answer stays good until one of them changes
    # (tests/test_layers_reads.py checks that changing any other table changes no answer); None: any table
    reads: frozenset[str] | None = None

    def __post_init__(self) -> None:
        unknown = self.accepts - FILTERS
        if unknown:
            raise ValueError(f"layer {self.name}: unknown filters {sorted(unknown)}")

    @property
    def access(self) -> Mapping[Role, Access]:
        """How much of the layer each role may see, as the access policy (gridgov.access) says."""
        return {role: access.layer_access(role, self.name) for role in Role}

    def personal(self) -> bool:
        """Whether the layer's detail features carry personal data (access.PERSONAL_COLUMNS)."""
        return any(c.name in access.PERSONAL_COLUMNS for c in self.detail_columns)


_LAYERS: dict[str, Layer] = {}
_loaded = False


def register(layer: Layer) -> Layer:
    """Add a layer (called by each layer module at import); a ValueError when the access policy does not fit it."""
    if layer.name in _LAYERS and _LAYERS[layer.name] is not layer:
        raise ValueError(f"two layers are called {layer.name}")
    _check_policy(layer)
    _LAYERS[layer.name] = layer
    return layer


def _check_policy(layer: Layer) -> None:
    """The policy names the layer, grants details only of a layer that has them, and personal ones only as allowed."""
    if layer.name not in access.LAYERS:
        raise ValueError(f"layer {layer.name}: gridgov.access.LAYERS says nothing of who may see it")
    details = access.layer(layer.name, Access.DETAIL)
    granted = {role: access.decide(role, details) for role in access.allowed_roles(details)}
    if granted and layer.detail is None:
        raise ValueError(f"layer {layer.name}: the policy grants its details but the layer has none")
    if layer.personal():
        beyond = {r.value for r, d in granted.items() if d != access.decide(r, access.PERSONAL)}
        if beyond:
            raise ValueError(f"layer {layer.name}: personal details granted beyond personal_columns to {sorted(beyond)}")


def _load_builtin() -> None:
    global _loaded
    if not _loaded:
        for module in BUILTIN:
            importlib.import_module(module)
        _loaded = True


def available() -> list[Layer]:
    """Every registered layer: the built-in ones in the order of BUILTIN, whatever imported them first, then others."""
    _load_builtin()
    order = {module: i for i, module in enumerate(BUILTIN)}
    return sorted(_LAYERS.values(), key=lambda layer: order.get(layer.aggregate.__module__, len(order)))


def get(name: str) -> Layer:
    """The layer called `name`; an InputError listing the names when there is none."""
    _load_builtin()
    try:
        return _LAYERS[name]
    except KeyError:
        raise InputError(f"there is no layer {name!r}; layers: {', '.join(_LAYERS)}") from None


def visible_to(viewer: Viewer) -> list[Layer]:
    """The layers a viewer may see at all."""
    return [layer for layer in available() if access.decide(viewer.role, access.layer(layer.name)).allowed]


def scope(layer: Layer, viewer: Viewer, filters: Filters, *, level: Access = Access.AGGREGATE) -> Filters:
    """The filters a request runs with, or Forbidden.

    The policy (gridgov.access) must allow the role the layer at `level`. For a viewer limited to some grids
    (a grid leader's own, or an account's area) asking for no grid means all of theirs, asking for another is
    refused.
    """
    decision = access.decide(viewer.role, access.layer(layer.name, level))
    if not decision.allowed:
        what = "the details of" if level is Access.DETAIL else "the layer"
        raise Forbidden(f"{viewer.role.value} may not see {what} {layer.name}")
    unsupported = filters.used() - layer.accepts
    if unsupported:
        raise InputError(f"layer {layer.name} does not filter by {', '.join(sorted(unsupported))}")
    if viewer.grid_codes:  # a grid leader's own grids, or the grids of an account's area (gridgov.areas)
        others = set(filters.grids) - set(viewer.grid_codes)
        if others:
            whose = "a grid leader of " + ", ".join(viewer.grid_codes) if decision.scope is Scope.OWN_GRIDS \
                else f"a {viewer.role.value} of another area"
            raise Forbidden(f"{whose} may not see grid {', '.join(sorted(others))}")
        return replace(filters, grids=filters.grids or viewer.grid_codes)
    return filters


def calendar_bounds(settings: LayerSettings) -> tuple[date, date]:
    """The earliest day `as_of` may name and the latest day any date filter may: `filter_years` whole years either
    side of today's year, so no computation reaches the calendar's ends, where date arithmetic fails."""
    year, years = today(settings).year, settings.filter_years
    return date(max(1, year - years), 1, 1), date(min(9998, year + years), 12, 31)


def today(settings: LayerSettings) -> date:
    """The community's date now: layers "as of today" change their answer at its midnight."""
    return settings.clock().today()


def grid_frame(
    conn: psycopg.Connection, name: str, viewer: Viewer, filters: Filters, settings: LayerSettings
) -> gpd.GeoDataFrame:
    """The layer's per-grid aggregate with each grid's polygon, for the grids the viewer may see."""
    layer = get(name)
    scoped = scope(layer, viewer, filters)
    table = layer.aggregate(conn, scoped, settings)
    polygons = _grids.polygons(conn, scoped.grids)
    frame = polygons.join(table, on="grid_code", how="left")
    return gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")


def aggregate(
    conn: psycopg.Connection,
    name: str,
    viewer: Viewer,
    filters: Filters,
    settings: LayerSettings,
    *,
    at: answers.Stamp | None = None,
) -> dict[str, Any]:
    """The layer's per-grid aggregate as a GeoJSON FeatureCollection of grid polygons (id = grid_code).

    Answers are cached until the data changes (layers.answers; `at`: a stamp taken on `conn` in this
    transaction, for several questions at one read of it); treat the result as read-only.
    """
    layer = get(name)
    scoped = scope(layer, viewer, filters)
    key = ("aggregate", name, scoped, today(settings), settings.model_dump_json())
    at = at or answers.stamp(conn)

    def numbers() -> pd.DataFrame:
        if not (layer.whole_area and scoped.grids):
            return layer.aggregate(conn, scoped, settings)
        # a neighbourhood statistic is computed over every grid whoever asks: once, kept, and cut to each area
        every = replace(scoped, grids=())
        whole = answers.cached(conn, ("whole area", name, every, today(settings), settings.model_dump_json()),
                               lambda: layer.aggregate(conn, every, settings), fresh_for=clock_bound(name, filters),
                               at=at, reads=layer.reads)
        return whole[whole.index.isin(scoped.grids)]

    def compute() -> dict[str, Any]:
        # the polygons' GeoJSON is kept per version of the grids, apart from the numbers: on real boundaries it
        # costs far more than the numbers do, and the numbers change far more often
        kept = answers.cached(conn, ("grid shapes", scoped.grids), lambda: _grids.shapes(conn, scoped.grids),
                              at=at, reads=_GRID_SHAPES_READ)
        return _grids.with_numbers(kept, numbers())

    return answers.cached(conn, key, compute, fresh_for=clock_bound(name, filters), at=at, reads=layer.reads)


_GRID_SHAPES_READ = frozenset({"grids"})


def clock_bound(name: str, filters: Filters) -> float | None:
    """How long an answer of layer `name` for `filters` stays right: the layer's fresh_for, unless as_of fixes the time."""
    return None if filters.as_of is not None else get(name).fresh_for


def detail(
    conn: psycopg.Connection, name: str, viewer: Viewer, filters: Filters, settings: LayerSettings
) -> dict[str, Any]:
    """The layer's detail features (points, cells) for the grids the viewer may see."""
    layer = get(name)
    scoped = scope(layer, viewer, filters, level=Access.DETAIL)
    assert layer.detail is not None  # Layer.__post_init__: DETAIL access implies a detail function
    return layer.detail(conn, scoped, settings)


def deidentified_frame(
    conn: psycopg.Connection, name: str, filters: Filters, settings: LayerSettings
) -> gpd.GeoDataFrame:
    """What a planner may take away: the per-grid aggregate with small counts withheld (null), as
    layers.suppression rules for one question (layers.export also keeps two questions from being subtracted)."""
    layer = get(name)
    frame = grid_frame(conn, name, Viewer(Role.PLANNER), filters, settings)
    rule = layer.suppress
    types = {c.name: c.type for c in layer.columns}
    for column in (*rule.counts, *rule.derived):
        frame[column] = frame[column].astype("Int64" if types[column] == "int" else "Float64")
    table = suppression.apply(frame.set_index("grid_code"), rule, suppression.context(conn, rule, filters.grids))
    return gpd.GeoDataFrame(table.reset_index(), geometry="geometry", crs=frame.crs)
