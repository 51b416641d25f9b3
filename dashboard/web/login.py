"""Signing in and out, and the language switch: plain Flask routes beside the Dash app.

The sign-in form carries a CSRF token kept in the session, and the session
cookie is SameSite=Lax and HttpOnly (set in create_app), so another site can
neither sign someone in or out nor ride on their session. The password and
the limit on failures are checked by the kernel's one sign-in check
(gridgov.signin, shared with the OGC API): every failed sign-in is written to
the audit table, and after 10 failures for one username within 15 minutes
further attempts are refused (and audited) until the window has passed. A
successful one is audited here, as it starts a session.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

from flask import Flask, Response, redirect, render_template_string, request
from werkzeug.wrappers import Response as BaseResponse

from dashboard import pages
from dashboard.web.appctx import pool
from dashboard.web.session import csrf_ok, csrf_token, current_account, language, set_language, sign_in, sign_out
from gridgov import audit, signin
from gridgov.accounts import Account
from gridgov.i18n import LANGUAGES, text

_MAX_FIELD = 200  # longer input is no username or password of ours; keep it out of the audit table

_FORM = """<!doctype html>
<html lang="{{ t.html_lang }}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ t.login_title }} · {{ t.login_heading }}</title>
<link rel="stylesheet" href="/assets/gridgov.css"></head>
<body class="gg-plain">
<main class="gg-card">
  <h1>{{ t.login_heading }}</h1>
  {% if error %}<p class="gg-error" role="alert">{{ error }}</p>{% endif %}
  <form method="post" action="/login" class="gg-login">
    <input type="hidden" name="csrf_token" value="{{ csrf }}">
    <input type="hidden" name="next" value="{{ next }}">
    <label>{{ t.login_username }}
      <input name="username" autocomplete="username" required autofocus value="{{ username }}"></label>
    <label>{{ t.login_password }}
      <input name="password" type="password" autocomplete="current-password" required></label>
    <button type="submit">{{ t.login_submit }}</button>
  </form>
  <p class="gg-lang-switch"><a href="/language/{{ other }}?next={{ here | urlencode }}">{{ t.switch_language }}</a></p>
</main>
</body></html>
"""
_KEYS = ("html_lang", "login_title", "login_heading", "login_username", "login_password", "login_submit", "switch_language")


def _form(*, error: str = "", username: str = "", next_path: str = "", status: int = 200) -> Response:
    lang = language()
    here = "/login" + (f"?{urlencode({'next': next_path})}" if next_path else "")
    body = render_template_string(
        _FORM,
        t={k: text(k, lang) for k in _KEYS},
        error=error,
        csrf=csrf_token(),
        next=next_path,
        username=username,
        other=next(code for code in LANGUAGES if code != lang),
        here=here,
    )
    return Response(body, status=status, mimetype="text/html")


def _safe_next(value: str | None) -> str:
    """A page path on this site (never another host), else empty."""
    if value and value in pages.PAGES:
        return value
    return ""


def _login() -> Response | BaseResponse:
    lang = language()
    next_path = _safe_next(request.values.get("next"))
    account = current_account()
    if request.method == "GET":
        if account is not None:
            return redirect(next_path if next_path and pages.may_open(account, next_path) else pages.landing(account))
        return _form(next_path=next_path)
    if not csrf_ok(request.form.get("csrf_token")):
        return _form(error=text("login_expired", lang), next_path=next_path, status=400)
    username = request.form.get("username", "").strip()[:_MAX_FIELD]
    password = request.form.get("password", "")[:_MAX_FIELD]
    ip = request.remote_addr
    with pool().connection() as conn:
        found = signin.check(conn, signin.Attempt(username, password, ip))
        if not isinstance(found, Account):
            conn.commit()
            if found is signin.Refusal.THROTTLED:
                return _form(error=text("login_throttled", lang), username=username, next_path=next_path, status=429)
            return _form(error=text("login_failed", lang), username=username, next_path=next_path, status=401)
        audit.record(conn, username=found.username, action=audit.LOGIN, detail={"role": found.role.value}, ip=ip)
    sign_in(found)
    return redirect(next_path if next_path and pages.may_open(found, next_path) else pages.landing(found))


def _logout() -> BaseResponse:
    account = current_account()
    if account is not None and csrf_ok(request.form.get("csrf_token")):
        with pool().connection() as conn:
            audit.record(conn, username=account.username, action=audit.LOGOUT, ip=request.remote_addr)
        sign_out()
    return redirect("/login")


def _language(lang: str) -> BaseResponse:
    """Switch the language and go back: to `next` (the sign-in page) or the page the link was on."""
    set_language(lang)
    target = urlsplit(request.args.get("next", ""))
    if target.path == "/login" and not target.netloc:
        back = _safe_next(parse_qs(target.query).get("next", [""])[0])
        return redirect("/login" + (f"?{urlencode({'next': back})}" if back else ""))
    account = current_account()
    if account is None:
        return redirect("/login")
    came_from = urlsplit(request.referrer or "").path  # only followed to a page this account may open
    return redirect(came_from if pages.may_open(account, came_from) else pages.landing(account))


def install(server: Flask) -> None:
    """Add /login, /logout and /language/<code> to the Flask server."""
    server.add_url_rule("/login", "gridgov_login", _login, methods=["GET", "POST"])
    server.add_url_rule("/logout", "gridgov_logout", _logout, methods=["POST"])
    server.add_url_rule("/language/<lang>", "gridgov_language", _language, methods=["GET"])
