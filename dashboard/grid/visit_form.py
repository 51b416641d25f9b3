"""The visit form of the grid leader's page: household, date (today by default, never in the future), notes.

On a phone the form is a sheet over the page, opened from a household's row
in the visits list with that household picked (or empty, from the list's own
button), so the leader never scrolls back to a dropdown. `check` turns what
the form sent into a visit or a message the leader can act on (no household,
no or an unreadable date, a future or too old date, notes too long); a value
of the wrong shape, which no form sends, is a 400.

`act` is the one callback of the sheet and of the visits' buttons (a row's
record and undo, the sheet's save and cancel): it opens or closes the sheet,
records a visit or undoes one (dashboard.grid.visit_record), says what
happened above the list (with the undo button of a visit just recorded), and
bumps the page's `grid-version` store, which refreshes the list, the picker
and the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import dash
from dash import ALL, Input, Output, State, ctx, dcc, exceptions, html, no_update
from dash.development.base_component import Component

from dashboard.grid import scope, visit_record
from dashboard.web.session import language
from gridgov.errors import InputError
from gridgov.i18n import text
from gridgov.visits import Refused, Undone

MAX_NOTES = 500  # characters
OLDEST = timedelta(days=366)  # a visit older than a year is a mistyped date, not a catch-up
SHEET, SHEET_OPEN = "gg-sheet", "gg-sheet gg-sheet-open"
DAY_SIZE = 44  # px: the calendar's days are tap targets
OPEN_ROW = {"type": "visit-open", "household": ALL}  # a row's 记录走访
UNDO = {"type": "visit-undo", "visit": ALL, "place": ALL}  # a row's or the message's 撤销走访


# the dropdown's own words (its search box, "no match"), from the shared catalogue
DROPDOWN_LABELS = ("search", "clear_search", "clear_selection", "no_options_found")


def dropdown_labels(lang: str) -> dict[str, str]:
    """The words dcc.Dropdown shows itself, in `lang`."""
    return {key: text(f"dropdown_{key}", lang) for key in DROPDOWN_LABELS}


class Invalid(Exception):
    """What the leader has to correct, in their language."""


@dataclass(frozen=True)
class Visit:
    """A visit as the form asks to record it."""

    household_id: str
    day: date
    notes: str | None


def check(household: Any, day: Any, notes: Any, *, today: date, lang: str) -> Visit:
    """The visit the form describes, or Invalid with the message to show."""
    for name, value in (("household", household), ("date", day), ("notes", notes)):
        if value is not None and not isinstance(value, str):
            raise InputError(f"the visit's {name} must be text")
    if not household:
        raise Invalid(text("err_no_household", lang))
    if not day:
        raise Invalid(text("err_no_date", lang))
    try:
        visited = date.fromisoformat(day[:10])
    except ValueError:
        raise Invalid(text("err_bad_date", lang)) from None
    if visited > today:
        raise Invalid(text("err_future_date", lang, today=today.isoformat()))
    if visited < today - OLDEST:
        raise Invalid(text("err_old_date", lang, oldest=(today - OLDEST).isoformat()))
    cleaned = (notes or "").strip()
    if len(cleaned) > MAX_NOTES:
        raise Invalid(text("err_notes_too_long", lang, most=MAX_NOTES, length=len(cleaned)))
    return Visit(household, visited, cleaned or None)


def form(lang: str, today: date) -> Component:
    """The sheet with the form (closed; its household choices are filled by the visit list's callback)."""
    aria: dict[str, Any] = {"aria-label": text("section_record", lang)}
    return html.Div(
        [
            html.H2(text("section_record", lang), className="gg-sheet-title"),
            html.Label(text("form_household", lang), htmlFor="visit-household", className="gg-field-label"),
            dcc.Dropdown(id="visit-household", options=[], placeholder=text("form_household_placeholder", lang),
                         clearable=True, searchable=False, className="gg-field",
                         labels=dropdown_labels(lang)),  # type: ignore[arg-type]
            html.Label(text("form_date", lang), htmlFor="visit-date", className="gg-field-label"),
            dcc.DatePickerSingle(
                id="visit-date", date=today.isoformat(), max_date_allowed=today.isoformat(),
                min_date_allowed=(today - OLDEST).isoformat(), display_format="YYYY-MM-DD", first_day_of_week=1,
                month_format=text("date_month_format", lang), day_size=DAY_SIZE, className="gg-field gg-date",
            ),
            html.Label(text("form_notes", lang), htmlFor="visit-notes", className="gg-field-label"),
            dcc.Textarea(id="visit-notes", value="", maxLength=MAX_NOTES, rows=3,
                         placeholder=text("form_notes_placeholder", lang, most=MAX_NOTES), className="gg-field gg-notes"),
            html.Div(id="visit-error", role="alert", className="gg-form-message"),
            html.Div(
                [html.Button(text("form_save", lang), id="visit-save", n_clicks=0, className="gg-button"),
                 html.Button(text("visit_cancel", lang), id="visit-cancel", n_clicks=0, className="gg-button gg-button-plain")],
                className="gg-sheet-actions",
            ),
        ],
        id="visit-sheet",
        className=SHEET,
        role="dialog",
        **aria,
    )


def message_area(lang: str) -> Component:
    """Where the list says what was recorded or undone (with the undo button of a visit just recorded)."""
    return html.Div(
        [html.Button(text("visit_new", lang), id="visit-new", n_clicks=0, className="gg-button gg-button-plain"),
         html.Div(id="visit-message", role="status", className="gg-form-message")],
        className="gg-visit-bar",
    )


def _message(words: str, ok: bool, *extra: Component) -> Component:
    return html.Div([html.Span(words, className="gg-form-ok" if ok else "gg-form-error"), *extra], className="gg-toast")


def _refusal(refused: Refused, lang: str) -> str:
    recorded = refused.recorded_at.strftime("%Y-%m-%d %H:%M") if refused.recorded_at else ""
    return text(f"undo_{refused.reason.value}", lang, recorded=recorded)


def _id_value(key: str, triggered: Any) -> str:
    """The household or visit a pattern-matched button names (a crafted id of another shape is a 400)."""
    value = triggered.get(key) if isinstance(triggered, dict) else None
    if not isinstance(value, str) or not value or len(value) > 100:
        raise InputError(f"a button names one {key}")
    return value


# the callback's outputs, in order: the sheet, the household picked, the sheet's error, the list's message,
# the page's data version, the notes
Outputs = tuple[Any, Any, Any, Any, Any, Any]
_NOTHING: Outputs = (no_update,) * 6


def _save(household: Any, day: Any, notes: Any, lang: str) -> Outputs:
    try:
        visit = check(household, day, notes, today=visit_record.today(), lang=lang)
    except Invalid as problem:
        return no_update, no_update, str(problem), no_update, no_update, no_update
    done = visit_record.record(visit.household_id, visit.day, visit.notes)
    words = text("visit_saved", lang, household=done.household_id, name=done.head_name or "", day=visit.day.isoformat())
    undo = html.Button(text("visit_undo", lang), id={"type": "visit-undo", "visit": done.visit_id, "place": "message"},
                       n_clicks=0, className="gg-row-action gg-row-undo")
    return SHEET, None, "", _message(words, True, undo), done.visit_id, ""


def _undo(visit_id: str, lang: str) -> Outputs:
    result = visit_record.undo(visit_id)
    if isinstance(result, Undone):
        words = text("visit_undone", lang, household=result.household_id, name=result.head_name or "",
                     day=result.visited_on.isoformat())
        return no_update, no_update, no_update, _message(words, True), f"undo:{visit_id}", no_update
    return no_update, no_update, no_update, _message(_refusal(result, lang), False), no_update, no_update


def act(opened: Any, new: Any, cancel: Any, save: Any, undone: Any, household: Any, day: Any, notes: Any) -> Outputs:
    """What a tap on a visit button does: open the sheet, close it, record the visit, or undo one."""
    scope.leader()
    trigger = ctx.triggered_id
    if not ctx.triggered or not ctx.triggered[0].get("value"):
        raise exceptions.PreventUpdate  # a button appearing (the list drawn again) is no tap
    lang = language()
    if trigger == "visit-save":
        return _save(household, day, notes, lang)
    if trigger == "visit-cancel":
        return SHEET, no_update, "", no_update, no_update, no_update
    if trigger == "visit-new":
        return SHEET_OPEN, None, "", "", no_update, no_update
    kind = trigger.get("type") if isinstance(trigger, dict) else None
    if kind == "visit-open":
        return SHEET_OPEN, _id_value("household", trigger), "", "", no_update, no_update
    if kind == "visit-undo":
        return _undo(_id_value("visit", trigger), lang)
    return _NOTHING


def register(app: dash.Dash) -> None:
    """Add the callback of the visit buttons and the sheet."""
    app.callback(
        Output("visit-sheet", "className"),
        Output("visit-household", "value"),
        Output("visit-error", "children"),
        Output("visit-message", "children"),
        Output("grid-version", "data"),
        Output("visit-notes", "value"),
        Input(OPEN_ROW, "n_clicks"),
        Input("visit-new", "n_clicks"),
        Input("visit-cancel", "n_clicks"),
        Input("visit-save", "n_clicks"),
        Input(UNDO, "n_clicks"),
        State("visit-household", "value"),
        State("visit-date", "date"),
        State("visit-notes", "value"),
        prevent_initial_call=True,
    )(act)
