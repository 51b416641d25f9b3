"""The wall's ranking of grids that need attention: its weights are settings, its formula is written from them, and
overdue hazards are not outranked by visits alone unless the weights say so.

The community is tests/seed_sql.py's, with no visit at all (so H01 and H02 in
G01 and H06 in G02 missed last month's visit: 上期漏访, as the visits layer
counts it) and two overdue hazards in G03. By the default weights (3 points an
overdue hazard, 1 a household overdue a visit) G03 scores 6, G01 2, G02 1.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from auth_client import User, make_users, running_app, signed_in
from seed_sql import seed_small_community
from test_dashboard_wall import _text, _walk, community_today, wall_update

from gridgov.settings import DashboardSettings
from layers import ranking
from layers.ranking import Weights

README = Path(__file__).resolve().parents[1] / "README.md"


def seed_hazards_against_visits(db_url: str) -> None:
    """The small community with two overdue hazards in G03 and no visits (G01: 2 households overdue, G02: 1)."""
    today = community_today()
    with psycopg.connect(db_url) as conn:
        seed_small_community(conn)
        run = conn.execute("SELECT min(id) FROM load_runs").fetchone()[0]  # type: ignore[index]
        for i, hazard in enumerate(("Z1", "Z2")):
            conn.execute(
                "INSERT INTO hazards (hazard_id, found_at, type, severity, status, deadline, address, geocoded_by, geom,"
                " grid_code, load_run_id, source_row) SELECT %s, %s, '消防通道占用', 'high', 'open', %s, '幸福里4号楼',"
                " 'wgs84', ST_PointOnSurface(geom), grid_code, %s, %s FROM grids WHERE grid_code = 'G03'",
                [hazard, today - timedelta(days=30), today - timedelta(days=3), run, i],
            )


def ranked_on_the_wall(db_url: str, secretary: User, **weights: float) -> tuple[list[tuple[str, str]], str]:
    """(grid code, score) of the wall's ranking rows, and its formula line, with these weight settings."""
    with running_app(db_url, **weights) as app:
        shown = wall_update(signed_in(app, secretary))
    panel = shown["wall-ranking"]["children"]
    rows = [c for c in _walk(panel) if "data-grid" in c["props"]]
    scores = [_text(c) for r in rows for c in _walk(r) if c["props"].get("className") == "gg-wall-rank-score"]
    formula = next(_text(c) for c in _walk(panel) if c["props"].get("className") == "gg-wall-formula")
    return [(r["props"]["data-grid"], s) for r, s in zip(rows, scores, strict=True)], formula


def test_overdue_hazards_outrank_visits_alone_by_the_default_weights(db_url: str) -> None:
    seed_hazards_against_visits(db_url)
    rows, formula = ranked_on_the_wall(db_url, make_users(db_url)["shuji"])
    assert rows == [("G03", "6"), ("G01", "2"), ("G02", "1")]  # 2 × 3; 2 × 1; 1 × 1
    assert formula == "排名 = 逾期隐患×3 + 预警×2 + 上期漏访×1 + 热点等级×1"  # written from the settings


def test_changing_the_weights_changes_the_order_and_the_formula(db_url: str) -> None:
    seed_hazards_against_visits(db_url)
    secretary = make_users(db_url)["shuji"]
    rows, formula = ranked_on_the_wall(db_url, secretary, rank_weight_visits_overdue=5, rank_weight_hazards_overdue=1,
                                       rank_weight_early_warning=0)
    assert rows == [("G01", "10"), ("G02", "5"), ("G03", "2")]  # visits now weigh most
    assert formula == "排名 = 上期漏访×5 + 逾期隐患×1 + 热点等级×1"  # a part weighed 0 is not in it
    # weighed alike, G01's two missed visits tie G03's two overdue hazards: the hazards go first
    rows, formula = ranked_on_the_wall(db_url, secretary, rank_weight_visits_overdue=1, rank_weight_hazards_overdue=1)
    assert rows == [("G03", "2"), ("G01", "2"), ("G02", "1")]
    assert formula == "排名 = 预警×2 + 逾期隐患×1 + 上期漏访×1 + 热点等级×1"


def test_the_weights_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRIDGOV_RANK_WEIGHT_HAZARDS_OVERDUE", "5")
    monkeypatch.setenv("GRIDGOV_RANK_WEIGHT_VISITS_OVERDUE", "0.5")
    weights = Weights.of(DashboardSettings())
    assert (weights.hazards_overdue, weights.visits_overdue, weights.hotspot, weights.early_warning) == (5, 0.5, 1, 2)
    monkeypatch.setenv("GRIDGOV_RANK_WEIGHT_HOTSPOT", "-1")
    with pytest.raises(ValueError, match="rank_weight_hotspot"):
        DashboardSettings()
    readme = README.read_text(encoding="utf-8")
    for part in ranking.PARTS:
        assert f"GRIDGOV_RANK_WEIGHT_{part.upper()}" in readme


def test_the_ranking_ranks_any_units_so_a_street_can_rank_its_communities() -> None:
    communities = {
        "和平社区": {"hazards_overdue": 4},
        "幸福社区": {"visits_overdue": 11},
        "光明社区": {"hotspot": 2, "early_warning": 1},
        "安宁社区": {},
    }
    ranked = ranking.rank(communities, lambda name: communities[name], lambda name: name, Weights(), limit=None)
    assert [(r.rank, r.unit, r.score) for r in ranked] == [(1, "和平社区", 12), (2, "幸福社区", 11), (3, "光明社区", 4)]
    assert ranked[2].parts == (("early_warning", 1, 2), ("hotspot", 2, 2))  # why, the heaviest part first
    top = ranking.rank(communities, lambda name: communities[name], lambda name: name, Weights(), limit=1)
    assert [r.unit for r in top] == ["和平社区"]
