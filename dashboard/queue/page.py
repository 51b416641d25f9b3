"""The secretary's case queue (/queue): every case of the community, filtered and paged, and what can be done to one.

Filters: grid, category, state, overdue, escalated (a unit called in has not
yet come), unplaced (came in with no placeable location: it waits here to be
placed by hand, never dropped); the list is the shared one
(gridgov.case_queries: most urgent first), PAGE_SIZE a page. Picking a case
shows its facts and history, and the actions gridgov.cases allows a secretary
on it now (of dashboard.queue.actions.QUEUE_ACTIONS), each with the fields it
needs. Opening a case shows the resident's words and the address, so each
opening is written to the audit table (view_personal, with the case's id).

Every callback decides on the server from the session
(dashboard.queue.actions.secretary): a 401 signed out, a 403 for any other
role, before anything is read or written. An action bumps `queue-version`,
which reads the list and the case again.

Callbacks (outputs ← inputs, [state]):
    queue-page.data          ← queue-prev/next.n_clicks, the filters [queue-page.data]
    queue-list.children, queue-page-label.children, queue-prev/next.disabled
                             ← the filters, queue-page.data, queue-version.data
    queue-selected.data      ← queue-pick (every row's button).n_clicks
    queue-detail.children, queue-action.options/value, queue-units.options
                             ← queue-selected.data, queue-version.data
    the field groups' style  ← queue-action.value
    queue-message, queue-version, queue-links, queue-note.value
                             ← queue-do.n_clicks [the case, the action and its fields]
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import dash
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update
from dash.development.base_component import Component
from flask import request

from dashboard.queue import actions
from dashboard.queue.actions import QUEUE_ACTIONS, SATISFACTION, secretary
from dashboard.web import data_access
from dashboard.web.appctx import settings
from dashboard.web.chrome import shell
from dashboard.web.session import current_viewer, language
from gridgov import audit, case_field, case_links, case_store, i18n, units
from gridgov.accounts import Account
from gridgov.case_queries import CaseFilter, list_cases, one_case
from gridgov.cases import Case, Event, Kind, Source, allowed
from gridgov.cases import State as CaseState
from gridgov.errors import InputError
from gridgov.i18n import text
from layers.registry import Viewer

PAGE_SIZE = 20
MAX_PAGE_NUMBER = 1000
FLAGS = ("overdue", "escalated", "unplaced")
# the fields each action needs, by group id
GROUPS = {
    "queue-g-grid": ("assign", "reassign"),
    "queue-g-satisfaction": ("verify",),
    "queue-g-note": ("verify", "close", "reopen", "note"),
    "queue-g-escalate": ("escalate",),
    "queue-g-deadline": ("set_deadline",),
}
_SHOWN = {"display": "block"}
_HIDDEN = {"display": "none"}

i18n.add({
    "zh": {
        "title_queue": "案件队列", "queue_summary": "全部网格的案件：分派、改派、核实、关闭、重新办理、吹哨",
        "queue_f_grid": "网格", "queue_f_category": "类别", "queue_f_state": "状态", "queue_f_flags": "只看",
        "queue_f_overdue": "已逾期", "queue_f_escalated": "待报到", "queue_f_unplaced": "待分派（无法定位）",
        "queue_prev": "上一页", "queue_next": "下一页", "queue_page": "第 {n} 页", "queue_empty": "没有符合条件的案件。",
        "queue_unplaced": "待分派", "queue_pick": "查看", "queue_pick_hint": "从列表中选择一件案件。",
        "queue_received": "受理于 {when}", "queue_due": "期限 {when}", "queue_facts_grid": "网格",
        "queue_facts_address": "地址", "queue_facts_description": "描述", "queue_facts_satisfaction": "回访满意度",
        "queue_links_made": "已发报到链接", "queue_link_until": "{unit}：有效至 {when}",
        "queue_link_revoked": "{unit}：已撤销", "queue_action": "操作", "queue_do": "执行",
        "queue_grid": "派至网格", "queue_lon": "经度（可选）", "queue_lat": "纬度（可选）",
        "queue_satisfaction": "回访满意度", "queue_not_asked": "未回访", "queue_note": "说明",
        "queue_units": "吹哨单位", "queue_reason": "吹哨原因（单位将看到）", "queue_deadline": "办结期限",
        "queue_done": "已{action}。", "queue_err_no_case": "请先选择一件案件。", "queue_err_no_action": "请选择操作。",
        "queue_err_grid": "请选择网格。", "queue_err_point": "经纬度须同时填写且为有效数字。",
        "queue_err_point_grid": "该坐标不在所选网格内。", "queue_err_note": "请填写说明（至多 {most} 字）。",
        "queue_err_units": "请至少选择一个单位。", "queue_err_reason": "请填写吹哨原因（至多 {most} 字）。",
        "queue_err_deadline": "请选择今天起一年内的日期。",
        "queue_err_refused": "此案件现在不能{action}；可以：{allowed}。",
        "queue_links_title": "请把以下链接发给各单位（只显示这一次，{days} 天内有效）：",
        "queue_event_detail_units": "单位：{units}", "queue_event_detail_grid": "网格：{grid}",
        "queue_event_detail_deadline": "期限：{deadline}",
    },
    "en": {
        "title_queue": "Case queue", "queue_summary": "Every grid's cases: place, reassign, verify, close, reopen, escalate",
        "queue_f_grid": "Grid", "queue_f_category": "Category", "queue_f_state": "State", "queue_f_flags": "Only",
        "queue_f_overdue": "Overdue", "queue_f_escalated": "Awaiting units", "queue_f_unplaced": "Unplaced",
        "queue_prev": "Previous", "queue_next": "Next", "queue_page": "Page {n}", "queue_empty": "No case matches.",
        "queue_unplaced": "Unplaced", "queue_pick": "Open", "queue_pick_hint": "Pick a case from the list.",
        "queue_received": "received {when}", "queue_due": "due {when}", "queue_facts_grid": "Grid",
        "queue_facts_address": "Address", "queue_facts_description": "Description",
        "queue_facts_satisfaction": "Satisfaction", "queue_links_made": "Unit links sent",
        "queue_link_until": "{unit}: valid until {when}", "queue_link_revoked": "{unit}: revoked",
        "queue_action": "Action", "queue_do": "Do it", "queue_grid": "To grid", "queue_lon": "Longitude (optional)",
        "queue_lat": "Latitude (optional)", "queue_satisfaction": "Resident's satisfaction",
        "queue_not_asked": "Not asked", "queue_note": "Note", "queue_units": "Units to call in",
        "queue_reason": "Reason (the units will see it)", "queue_deadline": "Deadline",
        "queue_done": "Done: {action}.", "queue_err_no_case": "Pick a case first.",
        "queue_err_no_action": "Choose an action.", "queue_err_grid": "Choose a grid.",
        "queue_err_point": "Give both longitude and latitude, as numbers.",
        "queue_err_point_grid": "That point is not in the chosen grid.",
        "queue_err_note": "Write a note (at most {most} characters).",
        "queue_err_units": "Choose at least one unit.", "queue_err_reason": "Give the reason (at most {most} characters).",
        "queue_err_deadline": "Choose a date from today to a year ahead.",
        "queue_err_refused": "This case cannot be given \u201c{action}\u201d now; possible: {allowed}.",
        "queue_links_title": "Send each unit its link (shown only now, valid {days} days):",
        "queue_event_detail_units": "units: {units}", "queue_event_detail_grid": "grid: {grid}",
        "queue_event_detail_deadline": "deadline: {deadline}",
    },
})



def _when(value: datetime | None) -> str:
    return value.astimezone(settings().layers.clock().zone).strftime("%Y-%m-%d %H:%M") if value else "—"


def _age(span: timedelta, lang: str) -> str:
    hours = int(span.total_seconds() // 3600)
    return text("case_age_days", lang, n=hours // 24) if hours >= 24 else text("case_age_hours", lang, n=hours)


def _labelled(label: str, control: Component) -> html.Div:
    return html.Div([html.Label(label, className="gg-field-label"), control], className="gg-queue-field")


def _filters(lang: str, grids: list[tuple[str, str]], categories: list[str]) -> html.Div:
    return html.Div(
        [
            _labelled(text("queue_f_grid", lang), dcc.Dropdown(
                id="queue-f-grid", options=[{"label": name, "value": code} for code, name in grids], clearable=True)),
            _labelled(text("queue_f_category", lang), dcc.Dropdown(
                id="queue-f-category", options=[{"label": c, "value": c} for c in categories], clearable=True)),
            _labelled(text("queue_f_state", lang), dcc.Dropdown(
                id="queue-f-state", multi=True,
                options=[{"label": text(f"case_state_{s.value}", lang), "value": s.value} for s in CaseState])),
            _labelled(text("queue_f_flags", lang), dcc.Checklist(
                id="queue-f-flags", value=[], inline=True,
                options=[{"label": text(f"queue_f_{f}", lang), "value": f} for f in FLAGS])),
        ],
        className="gg-queue-filters",
    )


def _action_panel(lang: str, grids: list[tuple[str, str]]) -> html.Div:
    satisfaction = [{"label": text(f"case_satisfaction_{s}", lang), "value": s} for s in SATISFACTION]
    satisfaction.append({"label": text("queue_not_asked", lang), "value": actions.NOT_ASKED})
    return html.Div(
        [
            _labelled(text("queue_action", lang), dcc.Dropdown(id="queue-action", options=[], clearable=False)),
            html.Div([
                _labelled(text("queue_grid", lang), dcc.Dropdown(
                    id="queue-grid", options=[{"label": name, "value": code} for code, name in grids])),
                _labelled(text("queue_lon", lang), dcc.Input(id="queue-lon", type="text")),
                _labelled(text("queue_lat", lang), dcc.Input(id="queue-lat", type="text")),
            ], id="queue-g-grid", style=_HIDDEN),
            html.Div(_labelled(text("queue_satisfaction", lang), dcc.RadioItems(
                id="queue-satisfaction", options=satisfaction, value=actions.NOT_ASKED)), id="queue-g-satisfaction",
                style=_HIDDEN),
            html.Div(_labelled(text("queue_note", lang), dcc.Textarea(
                id="queue-note", value="", maxLength=actions.MAX_NOTE, rows=3, className="gg-notes")),
                id="queue-g-note", style=_HIDDEN),
            html.Div([
                _labelled(text("queue_units", lang), dcc.Checklist(id="queue-units", options=[], value=[])),
                _labelled(text("queue_reason", lang), dcc.Input(
                    id="queue-reason", type="text", maxLength=actions.MAX_REASON)),
            ], id="queue-g-escalate", style=_HIDDEN),
            html.Div(_labelled(text("queue_deadline", lang), dcc.DatePickerSingle(id="queue-deadline", display_format="YYYY-MM-DD", first_day_of_week=1,
                                                                               month_format=text("date_month_format", lang))),
                     id="queue-g-deadline", style=_HIDDEN),
            html.Button(text("queue_do", lang), id="queue-do", n_clicks=0, className="gg-button"),
            html.Div(id="queue-message", role="status", className="gg-form-message"),
            html.Div(id="queue-links", className="gg-queue-links"),
        ],
        className="gg-queue-actions",
    )


def build(account: Account, lang: str) -> Component:
    """The page."""
    secretary()
    grids = data_access.grid_choices()
    with data_access.viewer_connection(current_viewer()) as conn:
        categories = case_field.categories(conn)
    body = [
        dcc.Store(id="queue-page", data=0),
        dcc.Store(id="queue-version", data=0),
        dcc.Store(id="queue-selected", data=None),
        _filters(lang, grids, categories),
        html.Div(
            [
                html.Section([
                    html.Div(id="queue-list", className="gg-queue-list"),
                    html.Div([
                        html.Button(text("queue_prev", lang), id="queue-prev", n_clicks=0, className="gg-button"),
                        html.Span(id="queue-page-label", className="gg-queue-page-label"),
                        html.Button(text("queue_next", lang), id="queue-next", n_clicks=0, className="gg-button"),
                    ], className="gg-queue-pager"),
                ], className="gg-queue-left"),
                html.Section([
                    html.Div(html.P(text("queue_pick_hint", lang)), id="queue-detail", className="gg-queue-detail"),
                    _action_panel(lang, grids),
                ], className="gg-queue-right"),
            ],
            className="gg-queue-main",
        ),
    ]
    return shell(text("title_queue", lang), text("queue_summary", lang), html.Div(body, className="gg-queue"))


def _wanted(grid: Any, category: Any, states: Any, flags: Any, page: int) -> CaseFilter:
    """The filter the controls ask for (a 400 for values no control sends)."""
    for name, value in (("grid", grid), ("category", category)):
        if value is not None and not isinstance(value, str):
            raise InputError(f"the {name} filter is one value")
    states = states or []
    flags = flags or []
    if not isinstance(states, list) or not all(s in {c.value for c in CaseState} for s in states):
        raise InputError("states are a list of case states")
    if not isinstance(flags, list) or not set(flags) <= set(FLAGS):
        raise InputError(f"the flags are some of {', '.join(FLAGS)}")
    return CaseFilter(
        grids=[grid] if grid else None, categories=[category] if category else [],
        states=[CaseState(s) for s in states], overdue=True if "overdue" in flags else None,
        escalated=True if "escalated" in flags else None, unplaced=True if "unplaced" in flags else None,
        limit=PAGE_SIZE + 1, offset=page * PAGE_SIZE,
    )


def page_number(prev: Any, nxt: Any, grid: Any, category: Any, states: Any, flags: Any, current: Any) -> int:
    """The page to show: back to the first when a filter changes."""
    secretary()
    page = current if isinstance(current, int) and not isinstance(current, bool) and current >= 0 else 0
    if ctx.triggered_id == "queue-prev":
        return max(page - 1, 0)
    if ctx.triggered_id == "queue-next":
        return min(page + 1, MAX_PAGE_NUMBER)
    return 0


def _row(case: dict[str, Any], names: dict[str, str], lang: str) -> html.Li:
    flags = []
    if case["overdue"]:
        flags.append(html.Span(text("case_overdue", lang), className="gg-queue-flag gg-queue-overdue"))
    if case["waiting_units"]:
        flags.append(html.Span(text("case_waiting", lang, n=case["waiting_units"]), className="gg-queue-flag"))
    grid = names.get(case["grid_code"], case["grid_code"]) if case["grid_code"] else text("queue_unplaced", lang)
    return html.Li(
        [
            html.Button(text("queue_pick", lang), id={"type": "queue-pick", "case": case["case_id"]}, n_clicks=0,
                        className="gg-button gg-queue-pick"),
            html.Span(text(f"case_kind_{case['kind']}", lang), className="gg-queue-kind"),
            html.Span(case["category"] or text("case_uncategorised", lang), className="gg-queue-category"),
            html.Span(grid, className="gg-queue-grid"),
            html.Span(text(f"case_state_{case['state']}", lang), className="gg-queue-state"),
            html.Span(_age(case["age"], lang), className="gg-queue-age"),
            *flags,
        ],
        className="gg-queue-row",
        **dict[str, Any]({"data-case": case["case_id"], "data-state": case["state"], "data-grid": case["grid_code"] or ""}),
    )


def listing(grid: Any, category: Any, states: Any, flags: Any, page: Any, version: Any) -> tuple[Any, str, bool, bool]:
    """The page of cases the filters ask for: (the list, the page's label, previous disabled, next disabled)."""
    secretary()
    lang = language()
    number = page if isinstance(page, int) and not isinstance(page, bool) and 0 <= page <= MAX_PAGE_NUMBER else 0
    wanted = _wanted(grid, category, states, flags, number)
    names = dict(data_access.grid_choices())
    with data_access.viewer_connection(current_viewer()) as conn:
        rows = list_cases(conn, wanted, settings().layers.clock())
    more = len(rows) > PAGE_SIZE
    body: Any = (html.Ul([_row(r, names, lang) for r in rows[:PAGE_SIZE]], className="gg-queue-rows") if rows
                 else html.P(text("queue_empty", lang), className="gg-queue-empty"))
    return body, text("queue_page", lang, n=number + 1), number == 0, not more


def pick(clicks: Any) -> Any:
    """The case whose button was pressed."""
    secretary()
    triggered = ctx.triggered_id
    if not isinstance(triggered, dict) or not any(t.get("value") for t in ctx.triggered):
        return no_update
    return actions.case_id(triggered.get("case"))


def _event_line(e: Event, names: dict[str, str], lang: str) -> html.Li:
    d = e.detail
    parts = [
        _when(e.at), text(f"case_action_{e.action}", lang),
        text("case_event_by", lang, who=e.actor, source=text(f"case_source_{e.source.value}", lang)),
    ]
    if d.get("grid_code"):
        parts.append(text("queue_event_detail_grid", lang, grid=names.get(str(d["grid_code"]), d["grid_code"])))
    if d.get("units"):
        parts.append(text("queue_event_detail_units", lang, units=text("separator", lang).join(map(str, d["units"]))))
    if d.get("deadline") and e.action == "set_deadline":
        parts.append(text("queue_event_detail_deadline", lang, deadline=d["deadline"]))
    if d.get("satisfaction") in SATISFACTION:
        parts.append(text(f"case_satisfaction_{d['satisfaction']}", lang))
    for key in ("reason", "note"):
        if d.get(key):
            parts.append(str(d[key]))
    return html.Li(" · ".join(parts), className="gg-queue-event", **dict[str, Any]({"data-action": e.action}))


def detail(selected: Any, version: Any) -> tuple[Any, Any, Any, Any]:
    """The picked case: (its facts and history, the actions allowed now, no action chosen, the units to call)."""
    account = secretary()
    lang = language()
    if selected is None:
        return html.P(text("queue_pick_hint", lang)), [], None, []
    case_id = actions.case_id(selected)
    clock = settings().layers.clock()
    names = dict(data_access.grid_choices())
    with data_access.viewer_connection(current_viewer()) as conn:  # the case, if the secretary's area holds it
        listed = one_case(conn, case_id, clock)
        if listed is None:
            return html.P(text("queue_pick_hint", lang)), [], None, []
        _, events = case_store.read(conn, case_id)
        callable_units = units.for_category(conn, listed["category"])
    # the units' links and the audit row are the app's own tables: read and written on its connection, for this
    # case only, once the secretary's own connection has shown it is theirs
    with data_access.viewer_connection(Viewer(account.role)) as conn:
        links = case_links.links_of(conn, case_id)
        audit.record(conn, username=account.username, action=audit.VIEW_PERSONAL,
                     detail={"case_id": case_id, "via": "/queue"}, ip=request.remote_addr)
    now = Case(Kind(listed["kind"]), CaseState(listed["state"]))
    options = [{"label": text(f"case_action_{a}", lang), "value": a}
               for a in allowed(now, Source.SECRETARY) if a in QUEUE_ACTIONS]
    grid = names.get(listed["grid_code"], listed["grid_code"]) if listed["grid_code"] else text("queue_unplaced", lang)
    facts = [
        (text("queue_facts_grid", lang), grid),
        (text("queue_facts_address", lang), listed["address"] or text("case_no_address", lang)),
        (text("queue_facts_description", lang), listed["description"] or "—"),
        (text("queue_facts_satisfaction", lang),
         text(f"case_satisfaction_{listed['satisfaction']}", lang) if listed["satisfaction"] else "—"),
    ]
    link_lines = [
        text("queue_link_revoked", lang, unit=u) if revoked else text("queue_link_until", lang, unit=u, when=_when(until))
        for u, until, revoked in links
    ]
    body = [
        html.H2([
            text(f"case_kind_{listed['kind']}", lang), " · ", listed["category"] or text("case_uncategorised", lang),
            " · ", html.Span(text(f"case_state_{listed['state']}", lang), id="queue-detail-state"),
        ]),
        html.P(" · ".join(filter(None, [
            text("queue_received", lang, when=_when(listed["received_at"])),
            text("queue_due", lang, when=_when(listed["due_at"])) if listed["due_at"] else "",
            text("case_overdue", lang) if listed["overdue"] else "",
        ])), className="gg-queue-times"),
        html.Dl([item for label, value in facts for item in (html.Dt(label), html.Dd(value))], className="gg-queue-facts"),
        html.H3(text("case_history", lang)),
        html.Ol([_event_line(e, names, lang) for e in events], className="gg-queue-history"),
    ]
    if link_lines:
        body += [html.H3(text("queue_links_made", lang)), html.Ul([html.Li(line) for line in link_lines])]
    unit_options = [{"label": f"{u.name}（{u.contact}）" if u.contact else u.name, "value": u.name} for u in callable_units]
    return html.Div(body, **dict[str, Any]({"data-case": case_id})), options, None, unit_options


def fields(action: Any) -> list[dict[str, str]]:
    """Show the fields the chosen action needs, hide the others."""
    secretary()
    return [_SHOWN if action in wanted else _HIDDEN for wanted in GROUPS.values()]


def register(app: dash.Dash) -> None:
    """Add the page's callbacks."""
    filters = [Input("queue-f-grid", "value"), Input("queue-f-category", "value"), Input("queue-f-state", "value"),
               Input("queue-f-flags", "value")]
    app.callback(Output("queue-page", "data"), Input("queue-prev", "n_clicks"), Input("queue-next", "n_clicks"),
                 *filters, State("queue-page", "data"), prevent_initial_call=True)(page_number)
    app.callback(Output("queue-list", "children"), Output("queue-page-label", "children"),
                 Output("queue-prev", "disabled"), Output("queue-next", "disabled"),
                 *filters, Input("queue-page", "data"), Input("queue-version", "data"))(listing)
    app.callback(Output("queue-selected", "data"), Input({"type": "queue-pick", "case": ALL}, "n_clicks"),
                 prevent_initial_call=True)(pick)
    app.callback(Output("queue-detail", "children"), Output("queue-action", "options"), Output("queue-action", "value"),
                 Output("queue-units", "options"), Input("queue-selected", "data"), Input("queue-version", "data"),
                 prevent_initial_call=True)(detail)
    app.callback([Output(group, "style") for group in GROUPS], Input("queue-action", "value"))(fields)
    app.callback(
        Output("queue-message", "children"), Output("queue-version", "data"), Output("queue-links", "children"),
        Output("queue-note", "value"),
        Input("queue-do", "n_clicks"), State("queue-selected", "data"), State("queue-action", "value"),
        State("queue-grid", "value"), State("queue-lon", "value"), State("queue-lat", "value"),
        State("queue-satisfaction", "value"), State("queue-note", "value"), State("queue-units", "value"),
        State("queue-reason", "value"), State("queue-deadline", "date"), State("queue-version", "data"),
        prevent_initial_call=True,
    )(actions.act)
