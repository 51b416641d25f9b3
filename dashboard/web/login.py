"""Signing in and out, a wall device's sign-in, and the language switch: plain Flask routes beside the Dash app.

The sign-in form carries a CSRF token kept in the session, and the session
cookie is SameSite=Lax and HttpOnly (set in create_app), so another site can
neither sign someone in or out nor ride on their session. The password and
the limits on failures are checked by the kernel's one sign-in check
(gridgov.signin, shared with the OGC API): every failed sign-in is written to
the audit table, and too many failures from the client's address are refused
(429, audited) until the window has passed. A successful one is audited here
and starts a server-side session (gridgov.sessions) of the idle and absolute
lifetimes the settings give; signing out revokes it.

A wall screen signs in by opening its device URL, `/wall/device/<token>`
(gridgov.devices): a session of the role WALL_DEVICE starts and the screen is
sent on to /wall, with no Referer, so the token is not left in the address
bar or passed on. A token unknown, revoked or expired is a 401, audited.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

from flask import Flask, Response, redirect, render_template_string, request
from werkzeug.wrappers import Response as BaseResponse

from dashboard import pages
from dashboard.web.appctx import pool, settings
from dashboard.web.http_errors import answer
from dashboard.web.session import (
    client,
    csrf_ok,
    csrf_token,
    current_account,
    language,
    set_language,
    sign_in,
    sign_out,
)
from gridgov import audit, devices, sessions, signin
from gridgov.access import Role
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
    username = request.form.get("username", "").strip()[:_MAX_FIELD]  # a NUL in it: see signin.Attempt
    password = request.form.get("password", "")[:_MAX_FIELD]
    ip, user_agent = client()
    found = signin.check(pool().connection, signin.Attempt(username, password, ip))
    if found is signin.Refusal.THROTTLED:
        return _form(error=text("login_throttled", lang), username=username, next_path=next_path, status=429)
    if found is signin.Refusal.BUSY:
        return _form(error=text("login_busy", lang), username=username, next_path=next_path, status=503)
    if not isinstance(found, Account):
        return _form(error=text("login_failed", lang), username=username, next_path=next_path, status=401)
    lifetimes = settings().dashboard
    with pool().connection() as conn:
        audit.record(conn, username=found.username, action=audit.LOGIN, detail={"role": found.role.value}, ip=ip)
        started = sessions.start_for_account(
            conn, found, idle=timedelta(hours=lifetimes.session_hours),
            lifetime=timedelta(hours=lifetimes.session_max_hours), ip=ip, user_agent=user_agent,
        )
    sign_in(found, started)
    return redirect(next_path if next_path and pages.may_open(found, next_path) else pages.landing(found))


def _logout() -> BaseResponse:
    account = current_account()
    if account is not None and csrf_ok(request.form.get("csrf_token")):
        with pool().connection() as conn:
            audit.record(conn, username=account.username, action=audit.LOGOUT, ip=request.remote_addr)
        sign_out()
    return redirect("/login")


def _wall_device(token: str) -> Response | BaseResponse:
    """Sign this screen in as the wall device whose token it opened, and send it on to the wall."""
    ip, user_agent = client()
    with pool().connection() as conn:
        device = devices.by_token(conn, token[:_MAX_FIELD])
        if device is None:
            detail = {"reason": "wrong", "via": "wall_device"}
            audit.record(conn, username=devices.AUDIT_PREFIX, action=audit.LOGIN_FAILED, detail=detail, ip=ip)
        else:
            audit.record(
                conn, username=device.audit_name, action=audit.LOGIN, detail={"role": Role.WALL_DEVICE.value}, ip=ip
            )
            started = sessions.start_for_device(conn, device, ip=ip, user_agent=user_agent)
    if device is None:
        return answer(401, "this wall device sign-in is unknown, revoked or expired")
    sign_in(device.account(), started)
    response = redirect("/wall")
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


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
    """Add /login, /logout, /language/<code> and /wall/device/<token> to the Flask server."""
    server.add_url_rule("/login", "gridgov_login", _login, methods=["GET", "POST"])
    server.add_url_rule("/logout", "gridgov_logout", _logout, methods=["POST"])
    server.add_url_rule("/language/<lang>", "gridgov_language", _language, methods=["GET"])
    server.add_url_rule("/wall/device/<token>", "gridgov_wall_device", _wall_device, methods=["GET"])
