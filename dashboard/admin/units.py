"""The units cases are escalated to (吹哨报到: gridgov.units), on /admin: the list, add one, change one, disable one.

Units are data the administrator edits here: a name, a kind, a contact (a
person and a phone), the categories it takes and the hours it has to 报到.
Each change is audited with the account (gridgov.units).

Callbacks (outputs ← inputs, [state]):
    admin-unit-message, admin-units (the list), admin-unit-disable.options
        ← admin-unit-add, admin-unit-update, admin-unit-disable-do (n_clicks) [the form's fields, the unit to disable]
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, ctx, dcc, html, no_update

from dashboard.admin.common import admin, button, field, message, number_of, pick_and_act, said, table, text_of
from dashboard.web.appctx import pool
from dashboard.web.session import language
from gridgov import i18n, units
from gridgov.errors import InputError
from gridgov.i18n import text
from gridgov.units import Unit

i18n.add({
    "zh": {
        "admin_units": "吹哨报到单位", "admin_unit_name": "名称", "admin_unit_kind": "类型", "admin_unit_contact": "联系人及电话",
        "admin_unit_categories": "受理类别（逗号分隔，空为全部）", "admin_unit_ack_hours": "报到时限（小时）",
        "admin_unit_active": "启用", "admin_unit_add": "添加单位", "admin_unit_disable": "停用单位",
        "admin_unit_added": "已添加单位 {name}。", "admin_unit_disabled": "已停用单位 {name}。",
        "admin_unit_update": "修改单位（按名称）", "admin_unit_updated": "已修改单位 {name}。",
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
        "admin_unit_disabled": "Unit {name} disabled.", "admin_unit_update": "Change unit (by name)",
        "admin_unit_updated": "Unit {name} changed.", "admin_unit_all": "any", "admin_unit_pick": "Unit to disable",
        "unit_kind_street_department": "Street department", "unit_kind_police": "Police station",
        "unit_kind_property": "Property company", "unit_kind_utility": "Utility", "unit_kind_resident_unit": "Resident unit",
        "unit_kind_other": "Other",
    },
})

_BUTTONS = ("admin-unit-add", "admin-unit-update", "admin-unit-disable-do")


def _unit_rows(found: list[Unit], lang: str) -> html.Table:
    cols = ("admin_unit_name", "admin_unit_kind", "admin_unit_contact", "admin_unit_categories", "admin_unit_ack_hours",
            "admin_unit_active")
    rows = [
        [u.name, text(f"unit_kind_{u.kind}", lang), u.contact or "", ", ".join(u.categories) or text("admin_unit_all", lang),
         f"{u.ack_hours:g}", text("yes" if u.active else "no", lang)]
        for u in found
    ]
    return table([text(c, lang) for c in cols], rows, "gg-units")


def _disable_options(found: list[Unit]) -> list[dict[str, str]]:
    return [{"label": u.name, "value": u.name} for u in found if u.active]


def section(lang: str) -> html.Div:
    """The units: the list, the form to add or change one, and the one to disable one."""
    with pool().connection() as conn:
        found = units.list_units(conn)
    kinds = [{"label": text(f"unit_kind_{k}", lang), "value": k} for k in units.KINDS]
    return html.Div(
        [
            html.H2(text("admin_units", lang), id="admin-units-title"),
            html.Div(_unit_rows(found, lang), id="admin-units"),
            html.Div(
                [
                    field("admin_unit_name", lang, dcc.Input(id="admin-unit-name", type="text", maxLength=units.MAX_NAME)),
                    field("admin_unit_kind", lang, dcc.Dropdown(id="admin-unit-kind", options=kinds, clearable=False)),
                    field("admin_unit_contact", lang,
                          dcc.Input(id="admin-unit-contact", type="text", maxLength=units.MAX_CONTACT)),
                    field("admin_unit_categories", lang, dcc.Input(id="admin-unit-categories", type="text")),
                    field("admin_unit_ack_hours", lang, dcc.Input(id="admin-unit-ack-hours", type="number", value=24, min=1,
                                                                  max=units.MAX_ACK_HOURS)),
                    button("admin_unit_add", lang, "admin-unit-add"),
                    button("admin_unit_update", lang, "admin-unit-update"),
                ],
                className="gg-admin-form",
            ),
            pick_and_act("admin-unit-disable", _disable_options(found), text("admin_unit_pick", lang),
                         button("admin_unit_disable", lang, "admin-unit-disable-do")),
            message("admin-unit-message"),
        ],
        className="gg-admin-section gg-admin-units",
    )


def change_units(
    add: Any, update: Any, disable: Any, name: Any, kind: Any, contact: Any, categories: Any, ack_hours: Any,
    to_disable: Any,
) -> tuple[Any, Any, Any]:
    """Add, change or disable a unit, audited: (message, the list, the units that can be disabled)."""
    account = admin()
    lang = language()
    if ctx.triggered_id not in _BUTTONS:
        return no_update, no_update, no_update
    try:
        hours = number_of(ack_hours, "hours to acknowledge")
        cats = text_of(categories, "categories").replace("，", ",").split(",")
        with pool().connection() as conn:
            if ctx.triggered_id == "admin-unit-add":
                made = units.add(conn, text_of(name, "name"), kind=text_of(kind, "kind"), contact=text_of(contact, "contact"),
                                 categories=cats, ack_hours=hours or 0, by=account.username)
                answer = text("admin_unit_added", lang, name=made.name)
            elif ctx.triggered_id == "admin-unit-update":
                changed = units.update(conn, text_of(name, "name"), kind=text_of(kind, "kind") or None,
                                       contact=text_of(contact, "contact"), categories=cats, ack_hours=hours,
                                       by=account.username)
                answer = text("admin_unit_updated", lang, name=changed.name)
            else:
                units.disable(conn, text_of(to_disable, "name"), by=account.username)
                answer = text("admin_unit_disabled", lang, name=to_disable)
            found = units.list_units(conn)
    except InputError as problem:  # a field the administrator can correct: said on the page
        return said(str(problem), ok=False), no_update, no_update
    return said(answer, ok=True), _unit_rows(found, lang), _disable_options(found)


def register(app: dash.Dash) -> None:
    """Add the section's callback."""
    app.callback(
        Output("admin-unit-message", "children"), Output("admin-units", "children"),
        Output("admin-unit-disable", "options"),
        *(Input(button, "n_clicks") for button in _BUTTONS),
        State("admin-unit-name", "value"), State("admin-unit-kind", "value"), State("admin-unit-contact", "value"),
        State("admin-unit-categories", "value"), State("admin-unit-ack-hours", "value"),
        State("admin-unit-disable", "value"),
        prevent_initial_call=True,
    )(change_units)
