"""The wall devices on /admin (gridgov.devices): the list, make one for a community or a street (its sign-in URL
shown once, as `gridgov wall-device add` prints it), revoke one (its screen is signed out at its next request).

Only a hash of a device's token is kept; the URL is in the answer to the
click that made it and nowhere else. Making and revoking are audited under
the device's audit name with the administrator as `by` (gridgov.devices).

Callbacks (outputs ← inputs, [state]):
    admin-device-message, admin-devices (the list), admin-device-revoke.options
        ← admin-device-add, admin-device-revoke-do (n_clicks)
          [admin-device-name, -communities, -street, the device to revoke]
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import dash
from dash import Input, Output, State, ctx, dcc, html, no_update
from flask import request

from dashboard.admin.common import admin, button, field, message, pick_and_act, said, table, text_of, texts_of
from dashboard.web.appctx import pool, settings
from dashboard.web.session import language
from gridgov import account_changes, areas, devices, i18n
from gridgov.devices import Device
from gridgov.errors import InputError
from gridgov.i18n import text

i18n.add({
    "zh": {
        "admin_devices": "大屏设备", "admin_device_name": "设备名称（字母、数字、_ . -）", "admin_device_area": "显示范围",
        "admin_device_valid": "有效期", "admin_device_add": "新建设备", "admin_device_revoke": "吊销设备",
        "admin_device_pick": "选择要吊销的设备", "admin_device_communities": "社区", "admin_device_street": "街道",
        "admin_device_added": "已新建大屏设备 {name}，有效 {days:g} 天。请在大屏上打开此地址（只显示这一次）：",
        "admin_device_revoked": "已吊销大屏设备 {name}，其大屏将在下一次请求时退出。",
        "admin_device_until": "至 {t:%Y-%m-%d}", "admin_device_revoked_at": "已吊销 {t:%Y-%m-%d %H:%M}",
    },
    "en": {
        "admin_devices": "Wall devices", "admin_device_name": "Device name (letters, digits, _ . -)",
        "admin_device_area": "Shows", "admin_device_valid": "Valid", "admin_device_add": "Make device",
        "admin_device_revoke": "Revoke device", "admin_device_pick": "Device to revoke",
        "admin_device_communities": "Communities", "admin_device_street": "Street",
        "admin_device_added": "Wall device {name} made, valid for {days:g} days. Open this address on the screen"
                              " (shown only this once):",
        "admin_device_revoked": "Wall device {name} revoked; its screen is signed out at its next request.",
        "admin_device_until": "until {t:%Y-%m-%d}", "admin_device_revoked_at": "revoked {t:%Y-%m-%d %H:%M}",
    },
})


def _rows(found: list[Device], lang: str) -> html.Table:
    rows = [
        [d.name, areas.Area(d.communities, d.street).label() or "—",
         text("admin_device_revoked_at", lang, t=d.revoked_at) if d.revoked_at
         else text("admin_device_until", lang, t=d.expires_at)]
        for d in found
    ]
    cols = ("admin_device_name", "admin_device_area", "admin_device_valid")
    return table([text(c, lang) for c in cols], rows, "gg-devices")


def _revoke_options(found: list[Device]) -> list[dict[str, str]]:
    return [{"label": d.name, "value": d.name} for d in found if d.revoked_at is None]


def section(lang: str) -> html.Div:
    """The devices: the list, the form to make one and the one to revoke one."""
    with pool().connection() as conn:
        found = devices.list_devices(conn)
        communities = account_changes.choices(conn, areas.COMMUNITIES)
        streets = account_changes.choices(conn, areas.STREET)

    def options(pairs: list[tuple[str, str]]) -> list[dict[str, str]]:
        return [{"label": label, "value": value} for value, label in pairs]

    return html.Div(
        [
            html.H2(text("admin_devices", lang), id="admin-devices-title"),
            html.Div(_rows(found, lang), id="admin-devices"),
            html.Div(
                [
                    field("admin_device_name", lang, dcc.Input(id="admin-device-name", type="text", maxLength=64)),
                    field("admin_device_communities", lang,
                          dcc.Dropdown(id="admin-device-communities", options=options(communities), multi=True)),
                    field("admin_device_street", lang, dcc.Dropdown(id="admin-device-street", options=options(streets))),
                    button("admin_device_add", lang, "admin-device-add"),
                ],
                className="gg-admin-form",
            ),
            pick_and_act("admin-device-revoke", _revoke_options(found), text("admin_device_pick", lang),
                         button("admin_device_revoke", lang, "admin-device-revoke-do")),
            message("admin-device-message"),
        ],
        className="gg-admin-section gg-admin-devices",
    )


def change_devices(
    _add: Any, _revoke: Any, name: Any, communities: Any, street: Any, to_revoke: Any
) -> tuple[Any, Any, Any]:
    """Make or revoke a wall device, audited: (message, the list, the devices that can be revoked)."""
    account = admin()
    lang = language()
    if ctx.triggered_id not in ("admin-device-add", "admin-device-revoke-do"):
        return no_update, no_update, no_update
    days = settings().dashboard.wall_device_days
    try:
        with pool().connection() as conn:
            if ctx.triggered_id == "admin-device-add":
                device = text_of(name, "device name").strip()
                token = devices.add(conn, device, lifetime=timedelta(days=days), by=account.username,
                                    communities=texts_of(communities, "communities"),
                                    street=text_of(street, "street") or None)
                url = f"{request.host_url.rstrip('/')}/wall/device/{token}"
                answer: Any = [text("admin_device_added", lang, name=device, days=days), html.Br(),
                                html.Code(url, className="gg-once-password")]
            else:
                device = text_of(to_revoke, "device")
                devices.revoke(conn, device, by=account.username)
                answer = text("admin_device_revoked", lang, name=device)
            found = devices.list_devices(conn)
    except InputError as problem:
        return said(str(problem), ok=False), no_update, no_update
    return said(answer, ok=True), _rows(found, lang), _revoke_options(found)


def register(app: dash.Dash) -> None:
    """Add the section's callback."""
    app.callback(
        Output("admin-device-message", "children"), Output("admin-devices", "children"),
        Output("admin-device-revoke", "options"),
        Input("admin-device-add", "n_clicks"), Input("admin-device-revoke-do", "n_clicks"),
        State("admin-device-name", "value"), State("admin-device-communities", "value"),
        State("admin-device-street", "value"), State("admin-device-revoke", "value"),
        prevent_initial_call=True,
    )(change_devices)
