"""The administrator's page (/admin): the accounts, the tables that are data, the wall devices and the audit trail.

No community data. Each part is its own module, with its section and its
callbacks: accounts (dashboard.admin.accounts), the visit rules and case
deadlines (tables), the units cases are escalated to (units), the wall
devices (devices) and the audit trail (audit_trail). Every callback decides on
the server from the session, through the access policy, before anything is
read or written (dashboard.admin.common.admin): a 401 signed out, a 403 for
any role the policy does not let open /admin. Every change is audited with
the administrator's account.
"""

from __future__ import annotations

import dash
from dash import html
from dash.development.base_component import Component

from dashboard.admin import accounts, audit_trail, devices, tables, units
from dashboard.admin.common import admin
from dashboard.web.chrome import shell
from gridgov.accounts import Account
from gridgov.i18n import text

_PARTS = (accounts, tables, units, devices, audit_trail)
_ANCHORS = (("accounts", "admin-accounts-title"), ("admin_rules", "admin-rules-title"),
            ("admin_deadlines", "admin-deadlines-title"), ("admin_units", "admin-units-title"),
            ("admin_devices", "admin-devices-title"), ("admin_audit", "admin-audit-title"))


def build(account: Account, lang: str) -> Component:
    """The page: a line of links to its parts, then each part."""
    admin()
    links = html.Nav([html.A(text(key, lang), href=f"#{anchor}") for key, anchor in _ANCHORS], className="gg-admin-nav")
    return shell(
        text("title_admin", lang),
        "",
        html.Div([links, *(part.section(lang) for part in _PARTS)], className="gg-admin"),
    )


def register(app: dash.Dash) -> None:
    """Add the parts' callbacks."""
    for part in _PARTS:
        part.register(app)
