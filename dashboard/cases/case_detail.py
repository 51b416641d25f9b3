"""One case on the phone: what it is, what the field may do now, and its history (who, when, from where).

The actions shown are those gridgov.cases.allowed gives the field for the
case's state: 响应 (respond), 开始办理, 办结 (resolve, with a note), 备注 (a
note), 照片 (a photo, sent by assets/cases.js to the upload route), 吹哨
(escalate to the active units that take the category, with a reason). The
note, the units and the reason are always on the page (hidden when unused):
the action callback reads them as its state.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from dash import dcc, html
from dash.development.base_component import Component

from dashboard.cases import case_list, photo_routes
from dashboard.cases.data import CaseView
from dashboard.cases.scope import MAX_TEXT
from dashboard.web.session import csrf_token
from gridgov.cases import Event
from gridgov.i18n import text

BUTTONS = ("respond", "start", "resolve", "note")  # the one-tap actions, in this order


def _attrs(**values: str) -> dict[str, Any]:
    """data-* attributes (what the browser tests and assets/cases.js select on)."""
    return {f"data-{name}": value for name, value in values.items()}


def field_id(name: str, case_id: Any) -> dict[str, Any]:
    """The id of one of the case form's fields (`current`, `note`, `units`, `reason`); matched by the case's id,
    so the action callback's state is there only while a case is shown (none on the list)."""
    return {"type": f"case-{name}", "case": case_id}


def action_id(action: str) -> dict[str, str]:
    """The id of an action's button (one callback takes them all)."""
    return {"type": "case-act", "action": action}


def _header(view: CaseView, lang: str, zone: ZoneInfo) -> Component:
    row = view.row
    return html.Div(
        [
            html.H2(case_list.title(row, lang), className="gg-case-name"),
            html.Div(
                [html.Span(text(f"case_state_{row['state']}", lang), className=f"gg-badge gg-badge-{row['state']}",
                           **_attrs(state=row["state"])),
                 html.Span(text(f"case_kind_{row['kind']}", lang), className="gg-badge"),
                 html.Span(case_list.age(row["age"], lang), className="gg-case-age"),
                 *case_list.badges(row, lang, zone)],
                className="gg-case-badges",
            ),
            html.Div(row.get("address") or text("case_no_address", lang), className="gg-case-line"),
            html.P(row.get("description") or "", className="gg-case-text"),
        ],
        className="gg-case-header",
    )


def _escalation(view: CaseView, lang: str) -> Component:
    case_id = view.row["case_id"]
    options = [{"label": u.name + (f" · {u.contact}" if u.contact else ""), "value": u.name} for u in view.units]
    return html.Div(
        [
            html.Label(text("case_units_label", lang), className="gg-field-label"),
            dcc.Checklist(id=field_id("units", case_id), options=options, value=[], className="gg-case-units",
                          inputClassName="gg-filter-box", labelClassName="gg-case-unit"),
            html.P(text("case_no_units", lang), className="gg-list-empty") if not options else None,
            html.Label(text("case_reason_label", lang), className="gg-field-label"),
            dcc.Textarea(id=field_id("reason", case_id), value="", maxLength=MAX_TEXT, rows=2,
                         className="gg-field gg-notes gg-case-reason"),
            html.Button(text("case_action_escalate", lang), id=action_id("escalate"), n_clicks=0,
                        className="gg-button gg-button-escalate", disabled=not options),
        ],
        className="gg-case-escalate",
        hidden="escalate" not in view.allowed,
    )


def _photo(view: CaseView, lang: str) -> Component | None:
    if "photo" not in view.allowed:
        return None
    case_id = view.row["case_id"]
    return html.Button(
        text("case_photo_label", lang),
        id="case-photo-pick",
        className="gg-button gg-button-photo",
        **_attrs(upload=photo_routes.upload_url(case_id), csrf=csrf_token()),
    )


def _actions(view: CaseView, lang: str) -> Component:
    buttons = [
        html.Button(text(f"case_action_{a}", lang), id=action_id(a), n_clicks=0,
                    className=f"gg-button gg-act gg-act-{a}", **_attrs(action=a))
        for a in BUTTONS if a in view.allowed
    ]
    empty = [html.P(text("case_actions_none", lang), className="gg-list-empty")] if not view.allowed else []
    return html.Div(
        [
            *empty,
            html.Label(text("case_note_label", lang), className="gg-field-label"),
            dcc.Textarea(id=field_id("note", view.row["case_id"]), value="", maxLength=MAX_TEXT, rows=2,
                         className="gg-field gg-notes gg-case-note",
                         placeholder=text("case_note_placeholder", lang, most=MAX_TEXT)),
            html.Div(buttons, className="gg-case-buttons"),
            _photo(view, lang),
            _escalation(view, lang),
        ],
        className="gg-case-actions",
    )


def _event_lines(event: Event, lang: str) -> list[Component]:
    detail: dict[str, Any] = dict(event.detail)
    lines: list[Component] = []
    for key in ("note", "reason"):
        if detail.get(key):
            lines.append(html.Div(str(detail[key]), className="gg-event-text"))
    if detail.get("units"):
        lines.append(html.Div(text("separator", lang).join(map(str, detail["units"])), className="gg-event-text"))
    if detail.get("unit") and event.action in ("acknowledge", "report"):
        lines.append(html.Div(str(detail["unit"]), className="gg-event-text"))
    if detail.get("satisfaction"):
        lines.append(html.Div(text(f"case_satisfaction_{detail['satisfaction']}", lang), className="gg-event-text"))
    if event.action == "photo" and detail.get("photo_id"):
        lines.append(html.Img(src=photo_routes.photo_url(str(detail["photo_id"])), alt=text("case_photo_alt", lang),
                              className="gg-event-photo"))
    return lines


def _history(events: list[Event], lang: str, zone: ZoneInfo) -> Component:
    items = [
        html.Li(
            [
                html.Div(
                    [html.Span(text(f"case_action_{e.action}", lang), className="gg-event-action"),
                     html.Span(text("day_time", lang, t=e.at.astimezone(zone)), className="gg-event-at")],
                    className="gg-event-head",
                ),
                html.Div(text("case_event_by", lang, who=e.actor, source=text(f"case_source_{e.source.value}", lang)),
                         className="gg-event-by"),
                *_event_lines(e, lang),
            ],
            className="gg-event",
            **_attrs(action=e.action, source=e.source.value),
        )
        for e in events
    ]
    return html.Div([html.H3(text("case_history", lang), className="gg-section-title"),
                     html.Ol(items, className="gg-case-history")])


def detail(view: CaseView, lang: str, zone: ZoneInfo) -> Component:
    """The case's view: back to the list, what it is, the actions, the history."""
    return html.Div(
        [
            dcc.Link(text("case_back", lang), href="/cases", className="gg-case-back"),
            _header(view, lang, zone),
            _actions(view, lang),
            _history(view.events, lang, zone),
            dcc.Store(id=field_id("current", view.row["case_id"]), data=view.row["case_id"]),
        ],
        className="gg-case-detail",
        **_attrs(case=view.row["case_id"]),
    )
