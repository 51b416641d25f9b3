"""The /admin page's callbacks as its forms send them, for tests that drive the administrator's work (or craft it)."""

from __future__ import annotations

from typing import Any

from dash_body import dash_body
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from gridgov import account_changes

ACCOUNT_BUTTONS = ("admin-acct-add", "admin-acct-set-role", "admin-acct-disable", "admin-acct-enable",
                   "admin-acct-reset", "admin-acct-end")


def account_change(client: FlaskClient, button: str, **fields: Any) -> TestResponse:
    """Press `button` of the accounts' forms with `fields`: name, role, pick, new_role, add_<scope>, set_<scope>."""
    scope = list(account_changes.FIELDS)
    state = [("admin-acct-name", fields.get("name")), ("admin-acct-role", fields.get("role")),
             *((f"admin-acct-add-{f}", fields.get(f"add_{f}")) for f in scope),
             ("admin-acct-pick", fields.get("pick")), ("admin-acct-new-role", fields.get("new_role")),
             *((f"admin-acct-set-{f}", fields.get(f"set_{f}")) for f in scope)]
    body = dash_body(
        ["admin-acct-message.children", "admin-accounts.children", "admin-acct-pick.options"],
        [(b, "n_clicks", int(b == button)) for b in ACCOUNT_BUTTONS],
        [(i, "value", v) for i, v in state],
        changed=f"{button}.n_clicks",
    )
    return client.post("/_dash-update-component", json=body)


def press(client: FlaskClient, outputs: list[str], buttons: tuple[str, ...], button: str,
          state: list[tuple[str, str, Any]]) -> TestResponse:
    """Press `button` of a form whose callback takes `buttons` (n_clicks) and `state`, answering `outputs`."""
    body = dash_body(outputs, [(b, "n_clicks", int(b == button)) for b in buttons], state, changed=f"{button}.n_clicks")
    return client.post("/_dash-update-component", json=body)


def audit_page(client: FlaskClient, *, user: str | None = None, action: str | None = None, grid: str | None = None,
               start: str | None = None, end: str | None = None, page: int = 0, move: str | None = None) -> TestResponse:
    """Ask the audit trail's table for the filters (and a pager button `move`: prev or next from `page`)."""
    body = dash_body(
        ["admin-audit-table.children", "admin-audit-pages.children", "admin-audit-page.data", "admin-audit-message.children"],
        [("admin-audit-user", "value", user), ("admin-audit-action", "value", action), ("admin-audit-grid", "value", grid),
         ("admin-audit-dates", "start_date", start), ("admin-audit-dates", "end_date", end),
         ("admin-audit-prev", "n_clicks", int(move == "prev")), ("admin-audit-next", "n_clicks", int(move == "next"))],
        [("admin-audit-page", "data", page)],
        changed=f"admin-audit-{move}.n_clicks" if move else "admin-audit-user.value",
    )
    return client.post("/_dash-update-component", json=body)


def audit_csv(client: FlaskClient, *, user: str | None = None, action: str | None = None, grid: str | None = None,
              start: str | None = None, end: str | None = None) -> TestResponse:
    """Press the trail's CSV button with the filters."""
    body = dash_body(
        ["admin-audit-download.data", "admin-audit-csv-message.children"],
        [("admin-audit-csv", "n_clicks", 1)],
        [("admin-audit-user", "value", user), ("admin-audit-action", "value", action), ("admin-audit-grid", "value", grid),
         ("admin-audit-dates", "start_date", start), ("admin-audit-dates", "end_date", end)],
    )
    return client.post("/_dash-update-component", json=body)


def found(node: Any, class_name: str) -> list[Any]:
    """Every component in a callback's answer whose className is `class_name`, depth first."""
    out: list[Any] = []
    if isinstance(node, dict):
        props = node.get("props")
        if isinstance(props, dict) and props.get("className") == class_name:
            out.append(node)
        for value in node.values():
            out.extend(found(value, class_name))
    elif isinstance(node, list):
        for value in node:
            out.extend(found(value, class_name))
    return out


def shown_once(response: TestResponse) -> str:
    """The password (or device URL) an answer shows once."""
    (code,) = found(response.get_json(), "gg-once-password")
    return str(code["props"]["children"])
