"""The visit form of the grid leader's page: household, date (today by default, never in the future), notes.

`check` turns what the form sent into a visit or a message the leader can act
on (no household, no or an unreadable date, a future or too old date, notes too
long); a value of the wrong shape, which no form sends, is a 400. `save` is the
callback: it records the visit (dashboard.grid.visit_record) and bumps the page's
`grid-version` store, which refreshes the list, the picker and the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from dash import dcc, exceptions, html, no_update
from dash.development.base_component import Component

from dashboard.grid import scope, visit_record
from dashboard.web.session import language
from gridgov.errors import InputError
from gridgov.i18n import text

MAX_NOTES = 500  # characters
OLDEST = timedelta(days=366)  # a visit older than a year is a mistyped date, not a catch-up


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
    """The form (its household choices are filled by the visit list's callback)."""
    return html.Div(
        [
            html.Label(text("form_household", lang), htmlFor="visit-household", className="gg-field-label"),
            dcc.Dropdown(id="visit-household", options=[], placeholder=text("form_household_placeholder", lang),
                         clearable=True, searchable=True, className="gg-field",
                         labels=dropdown_labels(lang)),  # type: ignore[arg-type]
            html.Label(text("form_date", lang), htmlFor="visit-date", className="gg-field-label"),
            dcc.DatePickerSingle(
                id="visit-date", date=today.isoformat(), max_date_allowed=today.isoformat(),
                min_date_allowed=(today - OLDEST).isoformat(), display_format="YYYY-MM-DD", first_day_of_week=1,
                month_format=text("date_month_format", lang), className="gg-field",
            ),
            html.Label(text("form_notes", lang), htmlFor="visit-notes", className="gg-field-label"),
            dcc.Textarea(id="visit-notes", value="", maxLength=MAX_NOTES, rows=3,
                         placeholder=text("form_notes_placeholder", lang, most=MAX_NOTES), className="gg-field gg-notes"),
            html.Button(text("form_save", lang), id="visit-save", n_clicks=0, className="gg-button"),
            html.Div(id="visit-message", role="status", className="gg-form-message"),
        ],
        className="gg-visit-form",
    )


def _message(words: str, ok: bool) -> Component:
    return html.Span(words, className="gg-form-ok" if ok else "gg-form-error")


def save(n_clicks: Any, household: Any, day: Any, notes: Any) -> tuple[Any, Any, Any, Any]:
    """Record the visit: (message, new data version for the page, cleared notes, cleared household)."""
    scope.leader()
    if not n_clicks:
        raise exceptions.PreventUpdate
    lang = language()
    try:
        visit = check(household, day, notes, today=visit_record.today(), lang=lang)
    except Invalid as problem:
        return _message(str(problem), ok=False), no_update, no_update, no_update
    done = visit_record.record(visit.household_id, visit.day, visit.notes)
    words = text("visit_saved", lang, household=done.household_id, name=done.head_name or "", day=visit.day.isoformat())
    return _message(words, ok=True), done.visit_id, "", None
