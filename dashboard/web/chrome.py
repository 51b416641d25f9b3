"""The frame of every page: a title bar with the page's title and summary, how old the data is (数据截至), who is
signed in, the language switch and the sign-out button."""

from __future__ import annotations

from typing import Any

from dash import dcc, html
from dash.development.base_component import Component

from dashboard.web import data_age
from dashboard.web.session import csrf_token, current_account, language, opened_community
from gridgov.i18n import LANGUAGES, text


def user_bar() -> html.Div:
    """Who is signed in, a link to the other language and a sign-out button (a POST with the CSRF token)."""
    lang = language()
    other = next(code for code in LANGUAGES if code != lang)
    items: list[Any] = []
    account = current_account()
    if account is not None:
        role = text(f"role_{account.role.value}", lang)
        items.append(html.Span(text("signed_in_as", lang, user=account.username, role=role), className="gg-user"))
        opened = opened_community()
        if opened and account.street:  # a street officer looking at one community: the way back to the street
            items.append(html.A(text("back_to_street", lang, community=opened, street=account.street), href="/street",
                                className="gg-lang gg-back-to-street"))
    items.append(html.A(text("switch_language", lang), href=f"/language/{other}", className="gg-lang"))
    if account is not None:
        items.append(
            html.Form(
                [
                    dcc.Input(type="hidden", name="csrf_token", value=csrf_token()),
                    html.Button(text("logout", lang), type="submit", className="gg-logout"),
                ],
                method="POST",
                action="/logout",
                className="gg-logout-form",
            )
        )
    return html.Div(items, className="gg-userbar")


def shell(title: str, summary: str, *body: Any) -> Component:
    """A page: the title bar over the page's body."""
    return html.Div(
        [
            html.Header(
                [html.H1(title), html.Span(summary, className="gg-summary"), data_age.line(language()), user_bar()],
                className="gg-titlebar",
            ),
            html.Main(list(body), className="gg-map-wrap"),
        ],
        className="gg-page",
    )
