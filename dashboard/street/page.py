"""The street officer's page (/street): every community of the street ranked, each opening its own wall.

The ranking is the wall's grid ranking summed per community (layers.street), from the per-grid answers the
officer's session may see (the street's grids: gridgov.areas), so a community's row agrees with its wall.
Opening a community (`/street/open/<name>`) narrows the officer's session to that community until they come
back here: the wall, the map and the queue then show it as its secretary sees it, and never anything outside
the officer's street (dashboard.web.session.focused).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from dash import html
from dash.development.base_component import Component
from flask import Flask, redirect
from werkzeug.wrappers import Response as WerkzeugResponse

from dashboard.wall import numbers
from dashboard.web import data_access
from dashboard.web.appctx import pool, settings
from dashboard.web.chrome import shell
from dashboard.web.session import focus_on, require_account
from gridgov import access, areas
from gridgov.accounts import Account
from gridgov.errors import Forbidden, NotFound
from gridgov.i18n import add, text
from layers import street
from layers.rates import Rate
from layers.registry import Filters

OPEN = "/street/open/"

add({
    "zh": {
        "title_street": "街道社区排名", "street_summary": "{street}：{n} 个社区，按需关注程度排序",
        "street_col_rank": "排名", "street_col_community": "社区", "street_col_score": "关注分",
        "street_col_reasons": "原因", "street_col_week": "本周诉求", "street_col_rates": "响应率 / 解决率 / 满意率",
        "street_open": "打开大屏", "street_reason_visits": "上期漏访 {n} 户", "street_reason_hazards": "逾期隐患 {n} 处",
        "street_reason_hot": "热点网格 {n} 个", "street_reason_warning": "预警网格 {n} 个", "street_reason_none": "无",
        "street_rate_none": "—", "street_formula": "社区关注分 = 各网格关注分之和（与网格排名同一公式与权重）",
    },
    "en": {
        "title_street": "Communities of the street", "street_summary": "{street}: {n} communities, most in need first",
        "street_col_rank": "Rank", "street_col_community": "Community", "street_col_score": "Score",
        "street_col_reasons": "Why", "street_col_week": "Work orders this week",
        "street_col_rates": "Response / resolution / satisfaction",
        "street_open": "Open its wall", "street_reason_visits": "{n} households missed a visit",
        "street_reason_hazards": "{n} overdue hazards", "street_reason_hot": "{n} hot-spot grids",
        "street_reason_warning": "{n} grids with an early warning", "street_reason_none": "none",
        "street_rate_none": "—", "street_formula": "a community's score = the sum of its grids' scores (the grid ranking's formula)",
    },
})


def _officer() -> Account:
    account = require_account()
    if not access.decide(account.role, access.page("/street")).allowed or not account.street:
        raise Forbidden(f"a {account.role.value} may not open /street")
    return account


def _rate(rate: Rate, lang: str) -> str:
    return text("street_rate_none", lang) if rate.percent is None else f"{rate.percent:g}%"


def _reasons(row: street.CommunityRank, lang: str) -> str:
    parts = [text(key, lang, n=n) for key, n in (
        ("street_reason_hazards", row.hazards_overdue), ("street_reason_visits", row.visits_overdue),
        ("street_reason_hot", row.hot_grids), ("street_reason_warning", row.early_warnings)) if n]
    return text("separator", lang).join(parts) or text("street_reason_none", lang)


def ranking(account: Account) -> list[street.CommunityRank]:
    """The street's communities, ranked, as the officer's session may see them."""
    config = settings()
    figures = numbers.gather(config)
    people = data_access.aggregate("special_groups", Filters())
    recent = data_access.aggregate("complaints", Filters(start=figures.rate_start, end=figures.today))
    community_of = {f["properties"]["grid_code"]: f["properties"]["community_name"] for f in people["features"]}
    return street.rank(figures.grids, figures.weights, community_of, recent, config.layers)


def build(account: Account, lang: str) -> Component:
    """The page: the whole street again (a community opened before is closed)."""
    _officer()
    focus_on(None)
    rows = ranking(account)
    head = html.Tr([html.Th(text(k, lang)) for k in (
        "street_col_rank", "street_col_community", "street_col_score", "street_col_reasons", "street_col_week",
        "street_col_rates")] + [html.Th("")])
    body = [
        html.Tr([
            html.Td(str(i)), html.Td(row.name), html.Td(f"{row.score:g}"), html.Td(_reasons(row, lang)),
            html.Td(str(row.complaints_week)),
            html.Td(" / ".join(_rate(r, lang) for r in (row.response, row.resolution, row.satisfaction))),
            html.Td(html.A(text("street_open", lang), href=OPEN + quote(row.name, safe=""), className="gg-button")),
        ], className="gg-street-row", **dict[str, Any]({"data-community": row.name}))
        for i, row in enumerate(rows, start=1)
    ]
    summary = text("street_summary", lang, street=account.street, n=len(rows))
    return shell(text("title_street", lang), summary, html.Div([
        html.P(text("street_formula", lang), className="gg-street-formula"),
        html.Table([html.Thead(head), html.Tbody(body)], className="gg-street-table"),
    ], className="gg-street"))


def _open(community: str) -> WerkzeugResponse:
    """Open one community of the officer's street: the session shows it until they come back to /street."""
    account = _officer()
    with pool().connection() as conn:
        known = {name for _, name in areas.communities(conn, account.street)}
    if community not in known:
        raise NotFound(f"there is no community {community[:40]!r} in {account.street}")
    focus_on(community)
    return redirect("/wall", code=303)


def install(server: Flask) -> None:
    """The route that opens a community from the ranking."""
    server.add_url_rule(OPEN + "<community>", "street_open", _open, methods=["GET"])
