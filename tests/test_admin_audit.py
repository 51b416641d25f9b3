"""The audit trail on /admin: local time with its zone named, actions and details in words, filters by user, action,
grid and the community's days, paging, and a CSV download of exactly the filtered rows, itself audited, Excel-safe
(dashboard/admin/audit_trail.py, gridgov/audit.py)."""

from __future__ import annotations

import base64
import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import dash
import psycopg
import pytest
from admin_forms import audit_csv, audit_page, found
from auth_client import User, signed_in
from psycopg.types.json import Jsonb

from gridgov import audit

# 2026-10-30 16:30 UTC is 2026-10-31 00:30 in Asia/Shanghai: the community's day, not the server's
JUST_AFTER_MIDNIGHT = datetime(2026, 10, 30, 16, 30, tzinfo=UTC)
JUST_BEFORE_MIDNIGHT = datetime(2026, 10, 30, 15, 59, tzinfo=UTC)


def _event(conn: psycopg.Connection, at: datetime, username: str, action: str, detail: dict[str, Any]) -> None:
    conn.execute("INSERT INTO audit (at, username, action, detail, ip) VALUES (%s, %s, %s, %s, '10.0.0.9')",
                 [at, username, action, Jsonb(detail)])


@pytest.fixture
def trail(app: dash.Dash, users: dict[str, User], db_url: str) -> None:
    with psycopg.connect(db_url) as conn:
        for i in range(120):  # a busy planner: three pages
            _event(conn, JUST_AFTER_MIDNIGHT + timedelta(minutes=i), "pager", "export",
                   {"layer": "visits", "grids": ["G02"] if i % 2 else [], "format": "gpkg"})
        _event(conn, JUST_AFTER_MIDNIGHT, "wang", "record_visit", {"grid": "G01", "household_id": "H01"})
        _event(conn, JUST_BEFORE_MIDNIGHT, "wang", "login", {"role": "grid_leader"})
        _event(conn, JUST_AFTER_MIDNIGHT, "=HYPERLINK(\"http://evil\")", "login_failed", {"reason": "+1 unknown"})
        _event(conn, JUST_AFTER_MIDNIGHT, "admin", "account_added", {"account": "wang", "grids": ["G01"]})


def _response(answer: Any) -> dict[str, Any]:
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body: dict[str, Any] = answer.get_json()["response"]
    return body


def _rows(answer: Any) -> list[list[str]]:
    """The table's body rows as the texts of their cells (a detail cell: its lines joined by |)."""
    table = _response(answer)["admin-audit-table"]["children"]
    body = table["props"]["children"][1]["props"]["children"]

    def cell(td: dict[str, Any]) -> str:
        child = td["props"]["children"]
        if isinstance(child, dict):
            inner = child["props"]["children"]
            return "|".join(d["props"]["children"] for d in inner) if isinstance(inner, list) else str(inner)
        return str(child)

    return [[cell(td) for td in tr["props"]["children"]] for tr in body]


def test_the_trail_shows_local_time_words_and_readable_details(app: dash.Dash, users: dict[str, User], trail: None) -> None:
    admin = signed_in(app, users["admin"])
    answer = audit_page(admin, user="wang")
    header = _response(answer)["admin-audit-table"]["children"]["props"]["children"][0]
    assert "时间（Asia/Shanghai，UTC+08:00）" in str(header)
    assert _rows(answer) == [
        ["2026-10-31 00:30:00", "wang", "记录走访", "网格: G01|户编号: H01", "10.0.0.9"],
        ["2026-10-30 23:59:00", "wang", "登录", "角色: grid_leader", "10.0.0.9"],
    ]
    admin.get("/language/en", headers={"Referer": "http://localhost/admin"})
    english = _rows(audit_page(admin, user="wang"))
    assert english[0][2:4] == ["Visit recorded", "Grid: G01|Household: H01"]


def test_the_trail_filters_by_user_action_grid_and_the_communitys_days(
    app: dash.Dash, users: dict[str, User], trail: None
) -> None:
    admin = signed_in(app, users["admin"])
    assert len(_rows(audit_page(admin, user="wang", start="2026-10-31", end="2026-10-31"))) == 1
    assert [r[0] for r in _rows(audit_page(admin, user="wang", end="2026-10-30"))] == ["2026-10-30 23:59:00"]
    assert [r[2] for r in _rows(audit_page(admin, action="account_added"))] == ["新建账号"]
    by_grid = _response(audit_page(admin, grid="G01"))
    assert by_grid["admin-audit-pages"]["children"] == "第 1 / 1 页，共 2 条"  # the visit and the account given G01
    assert _response(audit_page(admin, user="pager", grid="G02"))["admin-audit-pages"]["children"] == "第 1 / 2 页，共 60 条"
    bad = _response(audit_page(admin, start="2026-11-02", end="2026-11-01"))
    assert "start date is after the end date" in str(bad["admin-audit-message"])
    bad = _response(audit_page(admin, start="31/10/2026"))
    assert "YYYY-MM-DD" in str(bad["admin-audit-message"])


def test_the_trail_pages_through_every_event(app: dash.Dash, users: dict[str, User], trail: None) -> None:
    admin = signed_in(app, users["admin"])
    first = _response(audit_page(admin, user="pager"))
    assert (first["admin-audit-page"]["data"], first["admin-audit-pages"]["children"]) == (0, "第 1 / 3 页，共 120 条")
    seen = [r[0] for r in _rows(audit_page(admin, user="pager"))]
    for page in (0, 1):
        answer = audit_page(admin, user="pager", page=page, move="next")
        assert _response(answer)["admin-audit-page"]["data"] == page + 1
        seen += [r[0] for r in _rows(answer)]
    assert len(seen) == len(set(seen)) == 120  # every event once, newest first
    assert seen == sorted(seen, reverse=True)
    last = _response(audit_page(admin, user="pager", page=2, move="next"))
    assert last["admin-audit-page"]["data"] == 2  # no page past the last
    back = _response(audit_page(admin, user="pager", page=2, move="prev"))
    assert back["admin-audit-pages"]["children"] == "第 2 / 3 页，共 120 条"


def _csv(answer: Any) -> tuple[bytes, str]:
    data = _response(answer)["admin-audit-download"]["data"]
    assert data["base64"] and data["filename"].endswith(".csv")
    return base64.b64decode(data["content"]), data["filename"]


def test_the_csv_holds_exactly_the_filtered_rows_is_excel_safe_and_is_audited(
    app: dash.Dash, users: dict[str, User], trail: None, db_url: str
) -> None:
    admin = signed_in(app, users["admin"])
    raw, _name = _csv(audit_csv(admin, user="pager", grid="G02"))
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8's byte-order mark: Excel reads the Chinese right
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "时间（Asia/Shanghai，UTC+08:00）"
    assert len(rows) == 1 + 60 and {r[1] for r in rows[1:]} == {"pager"} and {r[3] for r in rows[1:]} == {"export"}
    assert sorted(rows[1][4].splitlines()) == sorted(["图层: visits", "网格: G02", "格式: gpkg"])

    raw, _name = _csv(audit_csv(admin, action="login_failed"))
    (_header, row) = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert row[1] == "'=HYPERLINK(\"http://evil\")"  # a formula is shown, never run
    assert row[4] == "原因: +1 unknown"  # only a cell's start can make a formula

    with psycopg.connect(db_url) as conn:
        taken = [e for e in audit.recent(conn) if e.action == audit.DOWNLOADED]
    assert [(e.username, e.detail["rows"], e.detail["query"]) for e in taken] == [
        ("admin", 1, {"action": "login_failed"}), ("admin", 60, {"username": "pager", "grid": "G02"}),
    ]


def test_no_other_role_reads_or_downloads_the_trail(
    app: dash.Dash, users: dict[str, User], trail: None, db_url: str
) -> None:
    for username in ("shuji", "leader1", "guihua"):
        client = signed_in(app, users[username])
        assert audit_page(client, user="wang").status_code == 403, username
        assert audit_csv(client).status_code == 403, username
    assert audit_csv(app.server.test_client()).status_code == 401
    with psycopg.connect(db_url) as conn:
        assert not [e for e in audit.recent(conn) if e.action == audit.DOWNLOADED]


def test_a_long_trail_is_refused_as_a_file_with_what_to_do(
    app: dash.Dash, users: dict[str, User], trail: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dashboard.admin import audit_trail

    monkeypatch.setattr(audit_trail, "MAX_CSV_ROWS", 100)
    answer = _response(audit_csv(signed_in(app, users["admin"]), user="pager"))
    assert "admin-audit-download" not in answer and "请缩小筛选范围" in str(answer["admin-audit-csv-message"])
    assert found(answer, "gg-form-error")
