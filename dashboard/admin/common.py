"""What every part of the administrator's page shares: who may act, the tables, the form fields and the messages.

Every callback and route of /admin starts with `admin()`: the account is the
session's (dashboard.web.session), and the access policy (gridgov.access)
must let its role open /admin, or it is a 401 or 403 before anything is read
or written. A field the administrator can correct is a message on the page
(`said`), never an error page.
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html
from dash.development.base_component import Component

from dashboard.web.session import require_account
from gridgov import access
from gridgov.access import Role
from gridgov.accounts import Account
from gridgov.errors import Forbidden, InputError
from gridgov.i18n import CATALOGUE, DEFAULT_LANGUAGE, text


def admin() -> Account:
    """The signed-in account, which must be one the policy lets open /admin (401 signed out, 403 otherwise)."""
    account = require_account()
    if not access.decide(account.role, access.page("/admin")).allowed:
        raise Forbidden(f"a {account.role.value} may not manage accounts or the community's tables")
    return account


def role_label(role: Role, lang: str) -> str:
    """A role's name in `lang` (its code while the catalogue has no word for it)."""
    key = f"role_{role.value}"
    return text(key, lang) if key in CATALOGUE[DEFAULT_LANGUAGE] else role.value


def table(headers: list[str], rows: list[list[Any]], class_name: str) -> html.Table:
    """A plain table: a header row and the rows' cells (text or components)."""
    return html.Table(
        [html.Thead(html.Tr([html.Th(h) for h in headers])), html.Tbody([html.Tr([html.Td(c) for c in r]) for r in rows])],
        className=f"gg-table {class_name}",
    )


def field(key: str, lang: str, control: Component) -> html.Label:
    """A form control under its label."""
    return html.Label([text(key, lang), control], className="gg-field-label")


def button(key: str, lang: str, id_: str) -> html.Button:
    """A form's button."""
    return html.Button(text(key, lang), id=id_, n_clicks=0, className="gg-button")


def form(*controls: Component) -> html.Div:
    """A row of a form's controls and buttons."""
    return html.Div(list(controls), className="gg-admin-form")


def pick_and_act(id_: str, options: list[dict[str, str]], placeholder: str, action: html.Button) -> html.Div:
    """A row to pick one item of a list (by its id `id_`) and act on it with `action` (disable, revoke)."""
    return form(dcc.Dropdown(id=id_, options=options, placeholder=placeholder), action)


def message(id_: str) -> html.Div:
    """Where a form's answer is shown (read out by screen readers)."""
    return html.Div(id=id_, role="status", className="gg-form-message")


def said(message: Any, ok: bool) -> html.Span:
    """A form's answer: done, or what to correct."""
    return html.Span(message, className="gg-form-ok" if ok else "gg-form-error")


def text_of(value: Any, name: str) -> str:
    """A text field's value ('' when empty); an InputError when a crafted request sends something else."""
    if value is not None and not isinstance(value, str):
        raise InputError(f"the {name} must be text")
    return value or ""


def texts_of(value: Any, name: str) -> list[str]:
    """A multiple choice's values; an InputError when a crafted request sends anything but a list of texts."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"the {name} must be a list of texts")
    return value


def number_of(value: Any, name: str) -> float | None:
    """A number field's value (None when empty); an InputError for anything but a number."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"the {name} must be a number")
    return float(value)
