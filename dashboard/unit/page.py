"""The unit's page, `/unit/<token>`: the one case a unit was called in on, its 报到 and its report, with no account.

The token in the path is the credential (gridgov.case_links): valid, it shows
that one case and nothing else; unknown, revoked or expired, a 404 page with a
short message (audited). The page is plain HTML from this server, no script, so
the dashboard's Content-Security-Policy holds; it reads no session and writes
none, so opening it signs nobody in and a signed-in person's session is not
used (the guard lets /unit/ through as public: dashboard.web.guard).

What the unit sees is what it needs to act: the category, the address, the
grid, when the case came in and its deadline, the reason it was called in (the
escalating person's words, written for the unit), its own 报到 deadline, and
its own acknowledgement and reports. Never the resident's own words (a case's
description may carry a name or a phone) nor anyone's name.

Forms (acknowledge; report with a note) POST to the same path. Against forged
posts: another site cannot know the token, which is in the path and in no
cookie; a POST whose Sec-Fetch-Site says another site started it is a 403; and
each form carries a nonce signed with the app's secret key, bound to this
link's hash and to the moment the page was rendered (valid NONCE_SECONDS), so a
post not made from a page this server rendered for this link is a 400. Each
action is one event (Source.UNIT, `unit` = the link's unit) through
gridgov.case_store, and every use is audited; a repeated 报到 writes nothing.
After a post the browser is sent back to the page (303), which says what was done.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, current_app, redirect, render_template_string, request
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.wrappers import Response as BaseResponse

from dashboard.web.appctx import pool, settings
from gridgov import case_links, case_store, credentials, i18n
from gridgov.case_links import Link, UnitCase
from gridgov.cases import Event, NotAllowed, Source
from gridgov.errors import InputError, NotFound
from gridgov.i18n import DEFAULT_LANGUAGE, LANGUAGES, text

PREFIX = "/unit/"
NONCE_SECONDS = 2 * 3600  # a page left open longer is loaded again before its form is sent
MAX_NOTE = 1000
_FOREIGN = frozenset({"same-site", "cross-site"})
_DONE = {"acknowledge": "unit_done_acknowledge", "report": "unit_done_report", "already": "unit_done_already"}

i18n.add({
    "zh": {
        "unit_title": "吹哨报到 · 案件",
        "unit_gone": "此链接无效、已过期或已被撤销。请联系派单的社区。",
        "unit_category": "类别", "unit_address": "地址", "unit_grid": "网格", "unit_received": "受理时间",
        "unit_deadline": "办结期限", "unit_state": "状态", "unit_reason": "吹哨事由", "unit_called": "吹哨时间",
        "unit_ack_due": "请于此时间前报到", "unit_acknowledged": "已报到", "unit_not_acknowledged": "尚未报到",
        "unit_reports": "处置情况", "unit_acknowledge": "报到", "unit_report": "提交处置情况",
        "unit_note": "做了什么（必填）", "unit_done_acknowledge": "已报到，谢谢。",
        "unit_done_report": "处置情况已提交，谢谢。", "unit_done_already": "已报到过，无需重复报到。",
        "unit_err_note": "请填写做了什么（至多 {most} 字）。", "unit_err_expired": "页面已过期，请刷新后重试。",
        "unit_err_state": "此案件当前不能这样操作。",
    },
    "en": {
        "unit_title": "Called in · case",
        "unit_gone": "This link is unknown, expired or revoked. Please contact the community that sent it.",
        "unit_category": "Category", "unit_address": "Address", "unit_grid": "Grid", "unit_received": "Received",
        "unit_deadline": "Deadline", "unit_state": "State", "unit_reason": "Why you were called in",
        "unit_called": "Called in at", "unit_ack_due": "Please acknowledge by", "unit_acknowledged": "Acknowledged",
        "unit_not_acknowledged": "Not acknowledged yet", "unit_reports": "Reports", "unit_acknowledge": "Acknowledge",
        "unit_report": "Send report", "unit_note": "What was done (required)",
        "unit_done_acknowledge": "Acknowledged, thank you.", "unit_done_report": "Report sent, thank you.",
        "unit_done_already": "Already acknowledged; nothing more to do.",
        "unit_err_note": "Say what was done (at most {most} characters).",
        "unit_err_expired": "This page is too old; reload it and try again.",
        "unit_err_state": "This case does not allow that now.",
    },
})

_PAGE = """<!doctype html>
<html lang="{{ t.html_lang }}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><link rel="icon" href="data:,"><title>{{ t.unit_title }}</title>
<link rel="stylesheet" href="/assets/gridgov.css"><link rel="stylesheet" href="/assets/queue.css"></head>
<body class="gg-plain"><main class="gg-card gg-unit">
{% if case is none %}
  <p class="gg-message" role="alert">{{ t.unit_gone }}</p>
{% else %}
  <h1>{{ t.unit_title }} · {{ unit }}</h1>
  {% if message %}<p class="{{ 'gg-error' if error else 'gg-form-ok' }}" role="status">{{ message }}</p>{% endif %}
  <dl class="gg-unit-case">
    {% for label, value in facts %}<dt>{{ label }}</dt><dd>{{ value }}</dd>{% endfor %}
  </dl>
  <p class="gg-unit-ack" data-acknowledged="{{ 'yes' if case.acknowledged_at else 'no' }}">
    {{ ack }}</p>
  {% if case.reports %}<h2>{{ t.unit_reports }}</h2><ul class="gg-unit-reports">
    {% for at, note in case.reports %}<li>{{ at }} · {{ note }}</li>{% endfor %}</ul>{% endif %}
  {% if not case.acknowledged_at %}
  <form method="post" action="{{ here }}" class="gg-unit-form">
    <input type="hidden" name="nonce" value="{{ nonce }}"><input type="hidden" name="action" value="acknowledge">
    <button type="submit" class="gg-button" id="unit-acknowledge">{{ t.unit_acknowledge }}</button>
  </form>
  {% endif %}
  <form method="post" action="{{ here }}" class="gg-unit-form">
    <input type="hidden" name="nonce" value="{{ nonce }}"><input type="hidden" name="action" value="report">
    <label>{{ t.unit_note }}<textarea name="note" id="unit-note" maxlength="{{ most }}" rows="3"></textarea></label>
    <button type="submit" class="gg-button" id="unit-report">{{ t.unit_report }}</button>
  </form>
{% endif %}
<p><a href="{{ switch }}">{{ t.switch_language }}</a></p>
</main></body></html>
"""
_KEYS = ("html_lang", "switch_language", "unit_title", "unit_gone", "unit_reports", "unit_acknowledge", "unit_report",
         "unit_note")


def _lang() -> str:
    """The page's language: ?lang=, never the session (the page reads none)."""
    wanted = request.args.get("lang", DEFAULT_LANGUAGE)
    return wanted if wanted in LANGUAGES else DEFAULT_LANGUAGE


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt="gridgov-unit-link")


def _bound(token: str) -> str:
    """What a nonce is bound to: this link (a part of its hash, never the token)."""
    return credentials.digest(token).hex()[:32]


def nonce(token: str) -> str:
    """A form nonce for this link, valid NONCE_SECONDS from now."""
    return str(_signer().dumps(_bound(token)))


def _nonce_ok(token: str, sent: Any) -> bool:
    if not isinstance(sent, str) or len(sent) > 500:
        return False
    try:
        return bool(_signer().loads(sent, max_age=NONCE_SECONDS) == _bound(token))
    except BadData:
        return False


def _when(value: datetime | None) -> str:
    return value.astimezone(settings().layers.clock().zone).strftime("%Y-%m-%d %H:%M") if value else "—"


def _page(token: str, case: UnitCase | None, unit: str, lang: str, *, message: str = "", error: bool = False,
          status: int = 200) -> Response:
    t = {k: text(k, lang) for k in _KEYS}
    facts: list[tuple[str, str]] = []
    ack = ""
    if case is not None:
        facts = [
            (text("unit_category", lang), case.category or "—"),
            (text("unit_address", lang), case.address or "—"),
            (text("unit_grid", lang), case.grid_name or "—"),
            (text("unit_received", lang), _when(case.received_at)),
            (text("unit_deadline", lang), str(case.deadline or "—")),
            (text("unit_state", lang), text(f"case_state_{case.state}", lang)),
            (text("unit_reason", lang), case.reason),
            (text("unit_called", lang), _when(case.escalated_at)),
            (text("unit_ack_due", lang), _when(case.ack_due_at)),
        ]
        ack = (f"{text('unit_acknowledged', lang)} · {_when(case.acknowledged_at)}" if case.acknowledged_at
               else text("unit_not_acknowledged", lang))
    other = next(code for code in LANGUAGES if code != lang)
    body = render_template_string(
        _PAGE, t=t, case=case, unit=unit, facts=facts, ack=ack, message=message, error=error,
        here=PREFIX + token + (f"?{urlencode({'lang': lang})}" if lang != DEFAULT_LANGUAGE else ""),
        switch=PREFIX + token + f"?{urlencode({'lang': other})}", nonce=nonce(token) if case else "",
        most=MAX_NOTE,
    )
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is in the address: it never leaves in a Referer
    return response


def _gone(lang: str) -> Response:
    return _page("", None, "", lang, status=404)


def _act(link: Link, case: UnitCase, action: Any, note: Any, lang: str) -> str:
    """Write the unit's action; the key of what was done (InputError: a message for the unit)."""
    if action not in ("acknowledge", "report"):
        raise InputError("action is acknowledge or report")
    if action == "acknowledge" and case.acknowledged_at is not None:
        return "already"
    detail: dict[str, Any] = {"unit": link.unit, "via": "link"}
    if action == "report":
        cleaned = note.strip() if isinstance(note, str) else ""
        if not cleaned or len(cleaned) > MAX_NOTE or "\x00" in cleaned:
            raise InputError(text("unit_err_note", lang, most=MAX_NOTE))
        detail["note"] = cleaned
    clock = settings().layers.clock()
    with pool().connection() as conn, conn.transaction():
        try:
            case_store.append(conn, link.case_id, Event(str(action), Source.UNIT, clock.now(), link.unit, detail))
        except (NotAllowed, NotFound):
            raise InputError(text("unit_err_state", lang)) from None
        case_links.used(conn, link, str(action), ip=request.remote_addr)
    return str(action)


def unit_page(token: str) -> Response | BaseResponse:
    """GET: the case of the link; POST: the unit acknowledges or reports."""
    lang = _lang()
    clock = settings().layers.clock()
    if request.method == "POST" and request.headers.get("Sec-Fetch-Site", "").lower() in _FOREIGN:
        return Response("another site may not post to a unit's link", status=403, mimetype="text/plain")
    with pool().connection() as conn:
        link = case_links.by_token(conn, token, clock=clock, ip=request.remote_addr)
        case = case_links.case_for(conn, link) if link else None
        if link is not None and case is not None and request.method == "GET":
            case_links.used(conn, link, "view", ip=request.remote_addr)
    if link is None or case is None:
        return _gone(lang)
    if request.method == "GET":
        done = request.args.get("done")
        return _page(token, case, link.unit, lang, message=text(_DONE[done], lang) if done in _DONE else "")
    if not _nonce_ok(token, request.form.get("nonce")):
        return _page(token, case, link.unit, lang, message=text("unit_err_expired", lang), error=True, status=400)
    try:
        done = _act(link, case, request.form.get("action"), request.form.get("note"), lang)
    except InputError as problem:
        return _page(token, case, link.unit, lang, message=str(problem), error=True, status=400)
    query = {"done": done, **({"lang": lang} if lang != DEFAULT_LANGUAGE else {})}
    response = redirect(PREFIX + token + "?" + urlencode(query), code=303)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def install(server: Flask) -> None:
    """Add /unit/<token> (GET and POST) to the Flask server."""
    server.add_url_rule(PREFIX + "<token>", "gridgov_unit_link", unit_page, methods=["GET", "POST"])
