"""The administrator's page (/admin): the accounts, the units cases are escalated to, and the latest audit events.

No community data. The units (吹哨报到: gridgov.units) are data the
administrator edits here: a list, a form to add one (name, kind, contact, the
categories it takes, the hours it has to 报到) and one to disable one. Each
change is audited with the account (gridgov.units). The callbacks decide on
the server from the session: a 401 signed out, a 403 for any role the policy
does not let open /admin, before anything is written; a bad field is a message.

Callbacks (outputs ← inputs, [state]):
    admin-unit-message, admin-units (the list), admin-unit-disable.options
        ← admin-unit-add.n_clicks, admin-unit-disable-do.n_clicks [the form's fields, the unit to disable]
"""

from __future__ import annotations

import json
from typing import Any

import dash
from dash import Input, Output, State, ctx, dcc, html, no_update
from dash.development.base_component import Component

from dashboard.web.appctx import pool
from dashboard.web.chrome import shell
from dashboard.web.session import language, require_account
from gridgov import access, accounts, audit, i18n, units
from gridgov.accounts import Account
from gridgov.errors import Forbidden, InputError
from gridgov.i18n import text
from gridgov.units import Unit

i18n.add({
    "zh": {
        "admin_units": "吹哨报到单位", "admin_unit_name": "名称", "admin_unit_kind": "类型", "admin_unit_contact": "联系人及电话",
        "admin_unit_categories": "受理类别（逗号分隔，空为全部）", "admin_unit_ack_hours": "报到时限（小时）",
        "admin_unit_active": "启用", "admin_unit_add": "添加单位", "admin_unit_disable": "停用单位",
        "admin_unit_added": "已添加单位 {name}。", "admin_unit_disabled": "已停用单位 {name}。",
        "admin_unit_all": "全部", "admin_unit_pick": "选择要停用的单位",
        "unit_kind_street_department": "街道科室", "unit_kind_police": "派出所", "unit_kind_property": "物业公司",
        "unit_kind_utility": "水电气热", "unit_kind_resident_unit": "驻区单位", "unit_kind_other": "其他",
    },
    "en": {
        "admin_units": "Units to call in", "admin_unit_name": "Name", "admin_unit_kind": "Kind",
        "admin_unit_contact": "Contact person and phone",
        "admin_unit_categories": "Categories it takes (comma-separated, empty: any)",
        "admin_unit_ack_hours": "Hours to acknowledge", "admin_unit_active": "Active", "admin_unit_add": "Add unit",
        "admin_unit_disable": "Disable unit", "admin_unit_added": "Unit {name} added.",
        "admin_unit_disabled": "Unit {name} disabled.", "admin_unit_all": "any", "admin_unit_pick": "Unit to disable",
        "unit_kind_street_department": "Street department", "unit_kind_police": "Police station",
        "unit_kind_property": "Property company", "unit_kind_utility": "Utility", "unit_kind_resident_unit": "Resident unit",
        "unit_kind_other": "Other",
    },
})


def _table(headers: list[str], rows: list[list[str]], class_name: str) -> html.Table:
    return html.Table(
        [html.Thead(html.Tr([html.Th(h) for h in headers])), html.Tbody([html.Tr([html.Td(c) for c in r]) for r in rows])],
        className=f"gg-table {class_name}",
    )


def _admin() -> Account:
    """The signed-in account, which must be one the policy lets open /admin."""
    account = require_account()
    if not access.decide(account.role, access.page("/admin")).allowed:
        raise Forbidden(f"a {account.role.value} may not manage units")
    return account


def _unit_rows(found: list[Unit], lang: str) -> html.Table:
    cols = ("admin_unit_name", "admin_unit_kind", "admin_unit_contact", "admin_unit_categories", "admin_unit_ack_hours",
            "admin_unit_active")
    rows = [
        [u.name, text(f"unit_kind_{u.kind}", lang), u.contact or "", ", ".join(u.categories) or text("admin_unit_all", lang),
         f"{u.ack_hours:g}", text("yes" if u.active else "no", lang)]
        for u in found
    ]
    return _table([text(c, lang) for c in cols], rows, "gg-units")


def _disable_options(found: list[Unit]) -> list[dict[str, str]]:
    return [{"label": u.name, "value": u.name} for u in found if u.active]


def _units_section(found: list[Unit], lang: str) -> html.Div:
    def field(key: str, control: Component) -> html.Label:
        return html.Label([text(key, lang), control], className="gg-field-label")

    kinds = [{"label": text(f"unit_kind_{k}", lang), "value": k} for k in units.KINDS]
    return html.Div(
        [
            html.H2(text("admin_units", lang)),
            html.Div(_unit_rows(found, lang), id="admin-units"),
            html.Div(
                [
                    field("admin_unit_name", dcc.Input(id="admin-unit-name", type="text", maxLength=units.MAX_NAME)),
                    field("admin_unit_kind", dcc.Dropdown(id="admin-unit-kind", options=kinds, clearable=False)),
                    field("admin_unit_contact", dcc.Input(id="admin-unit-contact", type="text", maxLength=units.MAX_CONTACT)),
                    field("admin_unit_categories", dcc.Input(id="admin-unit-categories", type="text")),
                    field("admin_unit_ack_hours", dcc.Input(id="admin-unit-ack-hours", type="number", value=24, min=1,
                                                            max=units.MAX_ACK_HOURS)),
                    html.Button(text("admin_unit_add", lang), id="admin-unit-add", n_clicks=0, className="gg-button"),
                ],
                className="gg-admin-unit-form",
            ),
            html.Div(
                [
                    dcc.Dropdown(id="admin-unit-disable", options=_disable_options(found),
                                 placeholder=text("admin_unit_pick", lang)),
                    html.Button(text("admin_unit_disable", lang), id="admin-unit-disable-do", n_clicks=0,
                                className="gg-button"),
                ],
                className="gg-admin-unit-form",
            ),
            html.Div(id="admin-unit-message", role="status", className="gg-form-message"),
        ],
        className="gg-admin-units",
    )


def build(account: Account, lang: str) -> Component:
    """The page."""
    _admin()
    with pool().connection() as conn:
        users = accounts.list_accounts(conn)
        events = audit.recent(conn, limit=50)
        found = units.list_units(conn)
    user_rows = [
        [u.username, text(f"role_{u.role.value}", lang), ", ".join(u.grids), f"{u.created_at:%Y-%m-%d %H:%M}",
         text("yes" if u.disabled else "no", lang)]
        for u in users
    ]
    event_rows = [
        [f"{e.at:%Y-%m-%d %H:%M:%S}", e.username, e.action, json.dumps(e.detail, ensure_ascii=False), e.ip or ""]
        for e in events
    ]
    cols = ("col_username", "col_role", "col_grids", "col_created", "col_disabled")
    audit_cols = ("col_at", "col_username", "col_action", "col_detail", "col_ip")
    return shell(
        text("title_admin", lang),
        "",
        html.Div(
            [
                html.H2(text("accounts", lang)),
                _table([text(c, lang) for c in cols], user_rows, "gg-accounts"),
                _units_section(found, lang),
                html.H2(text("audit_recent", lang)),
                _table([text(c, lang) for c in audit_cols], event_rows, "gg-audit"),
            ],
            className="gg-admin",
        ),
    )


def _text(value: Any, name: str) -> str:
    if value is not None and not isinstance(value, str):
        raise InputError(f"the unit's {name} must be text")
    return value or ""


def change_units(
    add: Any, disable: Any, name: Any, kind: Any, contact: Any, categories: Any, ack_hours: Any, to_disable: Any
) -> tuple[Any, Any, Any]:
    """Add or disable a unit, audited: (message, the list, the units that can be disabled)."""
    account = _admin()
    lang = language()
    if ctx.triggered_id not in ("admin-unit-add", "admin-unit-disable-do"):
        return no_update, no_update, no_update
    if ack_hours is not None and (isinstance(ack_hours, bool) or not isinstance(ack_hours, int | float)):
        raise InputError("the hours to acknowledge are a number")
    try:
        with pool().connection() as conn:
            if ctx.triggered_id == "admin-unit-add":
                made = units.add(conn, _text(name, "name"), kind=_text(kind, "kind"), contact=_text(contact, "contact"),
                                 categories=_text(categories, "categories").replace("，", ",").split(","),
                                 ack_hours=float(ack_hours or 0), by=account.username)
                message = text("admin_unit_added", lang, name=made.name)
            else:
                units.disable(conn, _text(to_disable, "name"), by=account.username)
                message = text("admin_unit_disabled", lang, name=to_disable)
            found = units.list_units(conn)
    except InputError as problem:  # a field the administrator can correct: said on the page
        return html.Span(str(problem), className="gg-form-error"), no_update, no_update
    return html.Span(message, className="gg-form-ok"), _unit_rows(found, lang), _disable_options(found)


def register(app: dash.Dash) -> None:
    """Add the page's callbacks."""
    app.callback(
        Output("admin-unit-message", "children"), Output("admin-units", "children"),
        Output("admin-unit-disable", "options"),
        Input("admin-unit-add", "n_clicks"), Input("admin-unit-disable-do", "n_clicks"),
        State("admin-unit-name", "value"), State("admin-unit-kind", "value"), State("admin-unit-contact", "value"),
        State("admin-unit-categories", "value"), State("admin-unit-ack-hours", "value"),
        State("admin-unit-disable", "value"),
        prevent_initial_call=True,
    )(change_units)
