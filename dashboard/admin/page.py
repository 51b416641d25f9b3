"""The administrator's page (/admin): the accounts and the latest audit events. No community data."""

from __future__ import annotations

import json

from dash import html
from dash.development.base_component import Component

from dashboard.web.appctx import pool
from dashboard.web.chrome import shell
from gridgov import accounts, audit
from gridgov.accounts import Account
from gridgov.i18n import text


def _table(headers: list[str], rows: list[list[str]], class_name: str) -> html.Table:
    return html.Table(
        [html.Thead(html.Tr([html.Th(h) for h in headers])), html.Tbody([html.Tr([html.Td(c) for c in r]) for r in rows])],
        className=f"gg-table {class_name}",
    )


def build(account: Account, lang: str) -> Component:
    """The page."""
    with pool().connection() as conn:
        users = accounts.list_accounts(conn)
        events = audit.recent(conn, limit=50)
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
                html.H2(text("audit_recent", lang)),
                _table([text(c, lang) for c in audit_cols], event_rows, "gg-audit"),
            ],
            className="gg-admin",
        ),
    )
