"""Downloads as the export page makes them: a POST carrying the session's CSRF token, read from a page of the session."""

from __future__ import annotations

from typing import Any

from auth_client import callback
from flask.testing import FlaskClient
from werkzeug.test import TestResponse


def form_token(tree: Any) -> str | None:
    """The CSRF token in a Dash component tree (a form's hidden input named csrf_token)."""
    if isinstance(tree, dict):
        if tree.get("name") == "csrf_token" and isinstance(tree.get("value"), str):
            return str(tree["value"])
        values = list(tree.values())
    elif isinstance(tree, list):
        values = tree
    else:
        return None
    return next((t for t in map(form_token, values) if t), None)


def csrf_token(client: FlaskClient, page: str = "/export") -> str:
    """The session's CSRF token, as the page at `page` (one the account may open) carries it."""
    built = client.post("/_dash-update-component", json=callback("page.children", [("url", "pathname", page)]))
    assert built.status_code == 200, built.get_data(as_text=True)
    token = form_token(built.get_json())
    assert token, f"no CSRF token on {page}"
    return token


def download(client: FlaskClient, url: str, page: str = "/export") -> TestResponse:
    """POST to a download URL with the session's token, as the export page's buttons do."""
    return client.post(url, data={"csrf_token": csrf_token(client, page)})
