"""The registry decides what each role sees, and what leaves as a planner's export."""

from __future__ import annotations

from datetime import date

import psycopg
import pytest
import shapely
from community import LAYER_SETTINGS
from seed_sql import seed_small_community

from gridgov.access import Access, Role
from gridgov.errors import Forbidden, InputError
from gridgov.i18n import CATALOGUE, LANGUAGES
from layers import registry
from layers.registry import Filters, Viewer

SECRETARY = Viewer(Role.SECRETARY)
PLANNER = Viewer(Role.PLANNER)
LEADER_G01 = Viewer(Role.GRID_LEADER, "G01")


def test_every_layer_is_documented_and_says_what_each_role_sees() -> None:
    layers = registry.available()
    assert {"special_groups", "visits", "hazards", "facilities"} <= {layer.name for layer in layers}
    for layer in layers:
        assert all(CATALOGUE[lang].get(layer.label) for lang in LANGUAGES)
        assert layer.columns, layer.name
        columns = (*layer.columns, *layer.detail_columns)
        assert all(CATALOGUE[lang].get(c.label) for lang in LANGUAGES for c in columns), layer.name
        assert layer.legend.property in {c.name for c in layer.columns}, layer.name
        assert set(layer.access) == set(Role), f"{layer.name} must say what every role may see"
        for count, derived in layer.suppress.items():
            assert {count, *derived} <= {c.name for c in layer.columns}, layer.name


def test_an_unknown_layer_names_the_ones_there_are() -> None:
    with pytest.raises(InputError, match="special_groups"):
        registry.get("special-group")


def test_a_grid_leader_sees_their_own_grid_only(conn: psycopg.Connection) -> None:
    seed_small_community(conn)
    features = registry.aggregate(conn, "special_groups", LEADER_G01, Filters(), settings=LAYER_SETTINGS)["features"]
    assert [f["id"] for f in features] == ["G01"]
    with pytest.raises(Forbidden, match="G02"):
        registry.aggregate(conn, "special_groups", LEADER_G01, Filters(grids=("G01", "G02")), settings=LAYER_SETTINGS)
    detail = registry.detail(conn, "special_groups", LEADER_G01, Filters(), settings=LAYER_SETTINGS)
    assert {f["properties"]["grid_code"] for f in detail["features"]} == {"G01"}
    assert sorted(f["id"] for f in detail["features"]) == ["H01", "H02", "H04"]


def test_household_points_are_never_shown_to_the_secretary_or_planner(conn: psycopg.Connection) -> None:
    seed_small_community(conn)
    for viewer in (SECRETARY, PLANNER):
        for name in ("special_groups", "visits"):
            with pytest.raises(Forbidden):
                registry.detail(conn, name, viewer, Filters(), settings=LAYER_SETTINGS)
    # facilities are public places: every role may see the points
    assert registry.detail(conn, "facilities", PLANNER, Filters(), settings=LAYER_SETTINGS) == {"type": "FeatureCollection", "features": []}


def test_a_filter_the_layer_does_not_take_is_refused_not_ignored() -> None:
    layer = registry.get("special_groups")
    with pytest.raises(InputError, match="window"):
        registry.scope(layer, SECRETARY, Filters(start=date(2026, 1, 1)))
    with pytest.raises(InputError, match="after it ends"):
        Filters(start=date(2026, 2, 1), end=date(2026, 1, 1))


def test_scope_needs_detail_access_for_detail() -> None:
    layer = registry.get("special_groups")
    assert registry.scope(layer, SECRETARY, Filters(grids=("G02",))) == Filters(grids=("G02",))
    with pytest.raises(Forbidden):
        registry.scope(layer, SECRETARY, Filters(), level=Access.DETAIL)


def test_aggregate_is_rfc7946_geojson_of_every_grid(conn: psycopg.Connection) -> None:
    seed_small_community(conn)
    collection = registry.aggregate(conn, "special_groups", SECRETARY, Filters(), settings=LAYER_SETTINGS)
    assert [f["id"] for f in collection["features"]] == ["G01", "G02", "G03"]
    assert "crs" not in collection
    for feature in collection["features"]:
        polygon = shapely.geometry.shape(feature["geometry"]).geoms[0]
        assert polygon.exterior.is_ccw
        for x, y in feature["geometry"]["coordinates"][0][0]:
            assert round(x, 7) == x and round(y, 7) == y


def test_planner_export_withholds_special_group_counts_below_five(conn: psycopg.Connection) -> None:
    seed_small_community(conn)  # G01: 5 households, 3 special; G02: 3 and 1; G03: 2 and 0
    frame = registry.deidentified_frame(conn, "special_groups", Filters(), settings=LAYER_SETTINGS).set_index("grid_code")
    # households are a count like any other (layers.suppression): 3 and 2 are withheld, 5 is shown
    assert frame["households"].astype(object).where(frame["households"].notna(), None).to_dict() == {"G01": 5, "G02": None, "G03": None}
    assert frame["special_households"].isna().all()
    assert frame["special_per_100"].isna().all(), "a rate would give the withheld count back"
    assert frame["group_elderly_alone"].isna().all()
    # the same query for the secretary shows the counts
    shown = registry.grid_frame(conn, "special_groups", SECRETARY, Filters(), settings=LAYER_SETTINGS).set_index("grid_code")
    assert shown["special_households"].to_dict() == {"G01": 3, "G02": 1, "G03": 0}


def test_a_cached_answer_is_replaced_as_soon_as_the_data_changes(conn: psycopg.Connection) -> None:
    seed_small_community(conn)
    before = registry.aggregate(conn, "special_groups", SECRETARY, Filters(grids=("G03",)), settings=LAYER_SETTINGS)
    assert before["features"][0]["properties"]["special_households"] == 0
    assert registry.aggregate(conn, "special_groups", SECRETARY, Filters(grids=("G03",)), settings=LAYER_SETTINGS) is before  # cached
    conn.execute("UPDATE households SET groups = '{disabled}' WHERE household_id = 'H09'")
    conn.commit()
    after = registry.aggregate(conn, "special_groups", SECRETARY, Filters(grids=("G03",)), settings=LAYER_SETTINGS)
    assert after["features"][0]["properties"]["special_households"] == 1
