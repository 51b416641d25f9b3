"""The audit trail on /admin: filtered by user, action, grid and the community's days, a page at a time, each
event in local time with its action and details in words; and the filtered trail as a CSV file.

The CSV is made for Excel: UTF-8 with a byte-order mark (so Chinese opens
right), and a cell that a spreadsheet would take for a formula (starting with
= + - @, a tab or a carriage return) is prefixed with an apostrophe. Taking
it is itself written to the trail (audit.DOWNLOADED, with the filters and the
number of rows), in the transaction that read the rows, before it leaves.

Callbacks (outputs ← inputs, [state]):
    admin-audit-table, admin-audit-pages, admin-audit-page.data, admin-audit-message
        ← the filters (admin-audit-user, -action, -grid, -dates), admin-audit-prev, -next [admin-audit-page.data]
    admin-audit-download.data, admin-audit-csv-message ← admin-audit-csv [the filters]
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import dash
from dash import Input, Output, State, ctx, dcc, html, no_update
from flask import request

from dashboard.admin import audit_words
from dashboard.admin.common import admin, button, field, message, said, table, text_of
from dashboard.web.appctx import pool, settings
from dashboard.web.session import language
from gridgov import account_changes, audit, i18n
from gridgov.audit import Event, Wanted
from gridgov.errors import InputError
from gridgov.i18n import text

PAGE_SIZE = 50
MAX_CSV_ROWS = 100_000  # past this, narrowing the filters is asked for: a file Excel still opens
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FILTERS = ("admin-audit-user", "admin-audit-action", "admin-audit-grid")

i18n.add({
    "zh": {
        "admin_audit": "审计记录", "admin_audit_user": "用户名", "admin_audit_action": "操作", "admin_audit_grid": "网格",
        "admin_audit_dates": "日期", "admin_audit_from": "开始日期", "admin_audit_to": "结束日期",
        "admin_audit_prev": "上一页", "admin_audit_next": "下一页", "admin_audit_csv": "下载 CSV",
        "admin_audit_pages": "第 {page} / {pages} 页，共 {total} 条", "admin_audit_any": "全部",
        "admin_audit_too_many": "筛选出 {total} 条，超过 {most} 条：请缩小筛选范围后再下载。",
        "admin_audit_csv_done": "已下载 {total} 条审计记录（此次下载已记入审计）。", "col_action_code": "操作代码",
    },
    "en": {
        "admin_audit": "Audit trail", "admin_audit_user": "Username", "admin_audit_action": "Action",
        "admin_audit_grid": "Grid", "admin_audit_dates": "Dates", "admin_audit_from": "From", "admin_audit_to": "To",
        "admin_audit_prev": "Previous", "admin_audit_next": "Next", "admin_audit_csv": "Download CSV",
        "admin_audit_pages": "Page {page} of {pages}, {total} events", "admin_audit_any": "any",
        "admin_audit_too_many": "{total} events match, more than {most}: narrow the filters to download them.",
        "admin_audit_csv_done": "Downloaded {total} audit events (the download itself is in the trail).",
        "col_action_code": "Action code",
    },
})


def _zone() -> ZoneInfo:
    return settings().layers.clock().zone


def _day(value: Any, name: str) -> date | None:
    day = text_of(value, name)
    if not day:
        return None
    try:
        return date.fromisoformat(day[:10])
    except ValueError:
        raise InputError(f"the {name} date is YYYY-MM-DD, not {day[:20]!r}") from None


def wanted(user: Any, action: Any, grid: Any, start: Any, end: Any) -> Wanted:
    """The filters as the trail's query takes them; an InputError naming a bad one."""
    found = Wanted(
        zone=_zone().key, username=text_of(user, "username").strip()[:200] or None,
        action=text_of(action, "action") or None, grid=text_of(grid, "grid") or None,
        start=_day(start, "start"), end=_day(end, "end"),
    )
    if found.start and found.end and found.start > found.end:
        raise InputError("the start date is after the end date")
    return found


def _rows(events: list[Event], lang: str) -> html.Table:
    zone = _zone()
    cols = [audit_words.zone_label(zone, settings().layers.clock().now(), lang), text("col_username", lang),
            text("col_action", lang), text("col_detail", lang), text("col_ip", lang)]
    rows = [
        [audit_words.local_time(e.at, zone), e.username, html.Span(audit_words.action_label(e.action, lang), title=e.action),
         html.Div([html.Div(line) for line in audit_words.detail_lines(e.detail, lang)], className="gg-audit-detail"),
         e.ip or ""]
        for e in events
    ]
    return table(cols, rows, "gg-audit")


def section(lang: str) -> html.Div:
    """The trail: the filters, a page of events, the pager and the CSV download."""
    with pool().connection() as conn:
        actions = audit.actions(conn)
        grids = account_changes.choices(conn, "grids")
    action_options = [{"label": audit_words.action_label(a, lang), "value": a} for a in actions]
    grid_options = [{"label": label, "value": value} for value, label in grids]
    any_ = text("admin_audit_any", lang)
    first, words, _page_shown = _page(Wanted(zone=_zone().key), 0, lang)  # the newest events, before any filter
    return html.Div(
        [
            html.H2(text("admin_audit", lang), id="admin-audit-title"),
            html.Div(
                [
                    field("admin_audit_user", lang, dcc.Input(id="admin-audit-user", type="text", debounce=True,
                                                              placeholder=any_)),
                    field("admin_audit_action", lang, dcc.Dropdown(id="admin-audit-action", options=action_options,
                                                                   placeholder=any_)),
                    field("admin_audit_grid", lang, dcc.Dropdown(id="admin-audit-grid", options=grid_options,
                                                                 placeholder=any_)),
                    field("admin_audit_dates", lang, dcc.DatePickerRange(
                        id="admin-audit-dates", display_format="YYYY-MM-DD", clearable=True, first_day_of_week=1,
                        month_format=text("date_month_format", lang),
                        start_date_placeholder_text=text("admin_audit_from", lang),
                        end_date_placeholder_text=text("admin_audit_to", lang),
                    )),
                    button("admin_audit_csv", lang, "admin-audit-csv"),
                ],
                className="gg-admin-form",
            ),
            message("admin-audit-message"),
            message("admin-audit-csv-message"),
            html.Div(first, id="admin-audit-table"),
            html.Div(
                [
                    button("admin_audit_prev", lang, "admin-audit-prev"),
                    html.Span(words, id="admin-audit-pages", className="gg-audit-pages"),
                    button("admin_audit_next", lang, "admin-audit-next"),
                ],
                className="gg-admin-pager",
            ),
            dcc.Store(id="admin-audit-page", data=0),
            dcc.Download(id="admin-audit-download"),
        ],
        className="gg-admin-section gg-admin-audit",
    )


def _page(filters: Wanted, page: int, lang: str) -> tuple[html.Table, str, int]:
    """The table of one page of the filtered events, the pager's words, and the page (kept within the pages)."""
    with pool().connection() as conn:
        total = audit.count(conn, filters)
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        events = audit.search(conn, filters, limit=PAGE_SIZE, offset=page * PAGE_SIZE)
    return _rows(events, lang), text("admin_audit_pages", lang, page=page + 1, pages=pages, total=total), page


def show_page(user: Any, action: Any, grid: Any, start: Any, end: Any, _prev: Any, _next: Any, page: Any) -> tuple[Any, ...]:
    """The page of events the filters and the pager ask for: (the table, the pager's words, the page, a message)."""
    admin()
    lang = language()
    try:
        filters = wanted(user, action, grid, start, end)
    except InputError as problem:
        return no_update, no_update, no_update, said(str(problem), ok=False)
    current = page if isinstance(page, int) and not isinstance(page, bool) and page >= 0 else 0
    step = {"admin-audit-prev": -1, "admin-audit-next": 1}.get(str(ctx.triggered_id))
    return (*_page(filters, current + step if step else 0, lang), "")  # a new filter starts at the first page


def _cell(value: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_bytes(events: list[Event], zone: ZoneInfo, lang: str, at: Any) -> bytes:
    """The events as a CSV file Excel opens with its Chinese intact: UTF-8 with a byte-order mark."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([audit_words.zone_label(zone, at, lang), text("col_username", lang), text("col_action", lang),
                     text("col_action_code", lang), text("col_detail", lang), text("col_ip", lang)])
    for e in events:
        writer.writerow([_cell(c) for c in (
            audit_words.local_time(e.at, zone), e.username, audit_words.action_label(e.action, lang), e.action,
            "\n".join(audit_words.detail_lines(e.detail, lang)), e.ip or "",
        )])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def download(_clicks: Any, user: Any, action: Any, grid: Any, start: Any, end: Any) -> tuple[Any, Any]:
    """The filtered trail as a CSV file (audited before it leaves): (the download, a message)."""
    account = admin()
    lang = language()
    if ctx.triggered_id != "admin-audit-csv":
        return no_update, no_update
    try:
        filters = wanted(user, action, grid, start, end)
    except InputError as problem:
        return no_update, said(str(problem), ok=False)
    zone = _zone()
    now = settings().layers.clock().now()
    with pool().connection() as conn:
        total = audit.count(conn, filters)
        if total > MAX_CSV_ROWS:
            return no_update, said(text("admin_audit_too_many", lang, total=total, most=MAX_CSV_ROWS), ok=False)
        events = audit.search(conn, filters, limit=MAX_CSV_ROWS)
        body = csv_bytes(events, zone, lang, now)
        query = {k: v for k, v in (("username", filters.username), ("action", filters.action), ("grid", filters.grid),
                                   ("start", filters.start and filters.start.isoformat()),
                                   ("end", filters.end and filters.end.isoformat())) if v}
        audit.record(conn, username=account.username, action=audit.DOWNLOADED,
                     detail={"query": query, "rows": len(events), "format": "csv"}, ip=request.remote_addr)
    name = f"audit_{now:%Y%m%d_%H%M%S}.csv"
    return dcc.send_bytes(body, name, type="text/csv"), said(text("admin_audit_csv_done", lang, total=len(events)), ok=True)


def register(app: dash.Dash) -> None:
    """Add the section's callbacks."""
    filters = [*(Input(f, "value") for f in _FILTERS), Input("admin-audit-dates", "start_date"),
               Input("admin-audit-dates", "end_date")]
    app.callback(
        Output("admin-audit-table", "children"), Output("admin-audit-pages", "children"),
        Output("admin-audit-page", "data"), Output("admin-audit-message", "children"),
        *filters, Input("admin-audit-prev", "n_clicks"), Input("admin-audit-next", "n_clicks"),
        State("admin-audit-page", "data"),
        prevent_initial_call=True,
    )(show_page)
    app.callback(
        Output("admin-audit-download", "data"), Output("admin-audit-csv-message", "children"),
        Input("admin-audit-csv", "n_clicks"),
        *(State(i.component_id, i.component_property) for i in filters),
        prevent_initial_call=True,
    )(download)
