"""Raising a case over HTTP: the phone's form with the photos chosen in it, stored all together or not at all.

    POST /data/cases/raise    multipart: `csrf_token`, `category`, `address`, `description`, `lon`, `lat`
                              and 0 to MAX_PHOTOS files named `photo`; JSON {ok, message, case_id, search}

The form's 上报 comes here (assets/cases.js, a clientside callback) rather
than through a Dash callback: a callback's body is limited to 1 MiB and a
photo may be 10 MB, so this route alone reads up to UPLOAD_BYTES. Under
/data/ the guard treats it as data (401 signed out, the policy's data URLs,
other sites' requests refused by dashboard.web.cross_site); the account must
be a grid leader (dashboard.cases.scope) and the form carry the session's
CSRF token.

Everything is checked before anything is written: the fields (the form's own
words, dashboard.cases.raise_form.refusal), the point, and every photo by its
bytes (gridgov.photos.clean: JPEG or PNG, at most 10 MB, re-encoded without
EXIF). A refusal is a 400 whose message says what to change (for a photo:
which one, and why), and nothing is stored. Then the case and its photos are
written in one transaction on the leader's row-level-security connection
(dashboard.cases.data.raise_case), each photo a `photo` event as a photo
added later is, and each audited.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, Response, request
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.exceptions import RequestEntityTooLarge

from dashboard.cases import case_list, data, raise_form, scope
from dashboard.web.http_errors import answer
from dashboard.web.session import csrf_ok, language
from gridgov import numbers, photos
from gridgov.case_store import Opening
from gridgov.cases import Kind
from gridgov.i18n import text

UPLOAD_BYTES = raise_form.MAX_PHOTOS * photos.MAX_BYTES + 256 * 1024  # the photos and the form around them
MAX_NAME = 80  # characters of a photo's file name repeated in a message


def _said(status: int, message: str, **extra: Any) -> Response:
    body = {"ok": status == 200, "message": message, **extra}
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json")


def _point(form: MultiDict[str, str]) -> tuple[float, float] | None:
    """(lon, lat) as the form sent it; None when it sent none (or no point on the globe)."""
    lon, lat = numbers.finite(form.get("lon", "")), numbers.finite(form.get("lat", ""))
    return None if lon is None or lat is None else raise_form.point({"lon": lon, "lat": lat})


def _cleaned(sent: list[FileStorage], lang: str) -> list[photos.Photo] | str:
    """Every photo sent, cleaned; or what is wrong with the first one refused (which one and why)."""
    if len(sent) > raise_form.MAX_PHOTOS:
        return text("raise_photos_too_many", lang, most=raise_form.MAX_PHOTOS)
    cleaned = []
    for n, file in enumerate(sent, start=1):
        try:
            cleaned.append(photos.clean(file.read(photos.MAX_BYTES + 1)))  # one byte more tells a photo too big
        except photos.PhotoRefused as refused:
            name = (file.filename or "")[:MAX_NAME]
            return text("raise_photo_refused", lang, n=n, name=name, why=text(f"photo_{refused.reason}", lang))
    return cleaned


def submit() -> Response:
    """Raise the case the signed-in grid leader's form describes, with its photos."""
    account = scope.leader()
    lang = language()
    request.max_content_length = UPLOAD_BYTES  # this route only (Flask 3.1): every other request keeps its limit
    try:
        form, files = request.form, request.files
    except RequestEntityTooLarge:
        return _said(400, text("photo_too_big", lang))
    if not csrf_ok(form.get("csrf_token")):
        return answer(403, "the report lacks this session's CSRF token: use the case page's form")
    category, address, description = (scope.words(form.get(name), name) for name in ("category", "address", "description"))
    if any("\x00" in value for value in (category, address, description)):
        return answer(400, "a field may not contain a NUL character")
    where = _point(form)
    refused = raise_form.refusal(category, address, description, where, lang)
    if refused is not None or where is None:
        return _said(400, refused or text("raise_need_point", lang))
    cleaned = _cleaned(files.getlist("photo"), lang)
    if isinstance(cleaned, str):
        return _said(400, cleaned)
    case_id = data.raise_case(account, Opening(Kind.RAISED, category, description, address or None), where, cleaned)
    if case_id is None:
        return _said(400, text("raise_outside", lang))
    notice = "raised_photos" if cleaned else "raised"
    search = case_list.href(case_id).removeprefix("/cases") + f"&notice={notice}"
    return _said(200, text("raise_saved_photos" if cleaned else "raise_saved", lang), case_id=case_id, search=search)


def install(server: Flask) -> None:
    """Add the route."""
    server.add_url_rule(raise_form.SUBMIT_URL, "case_raise", submit, methods=["POST"])
