"""Case photos over HTTP: a grid leader uploads one to a case, and whoever may see the case fetches it.

    POST /data/cases/<case_id>/photos    multipart: `photo` (the file) and `csrf_token`; JSON {ok, message, photo_id}
    GET  /data/cases/photo/<photo_id>    the stored photo (image/jpeg or image/png)

Under /data/ so the guard treats them as data (401 signed out, the policy's
data URLs, other sites' requests refused by dashboard.web.cross_site). An
upload may be larger than any other request (a photo of up to 10 MB): this
route alone reads up to UPLOAD_BYTES; the photo is checked by its bytes and
stripped of EXIF (gridgov.photos) before it is written, with its `photo`
event, on the leader's row-level-security connection, and audited. A
refusal the leader can act on (too big, not a JPEG or PNG, unreadable, a
case that takes no photo now) is a 400 with the message in their language;
another grid's case is a 404 and nothing is written.

A photo is served only to whom the policy lets see cases (gridgov.access
APIS "cases": a leader through row-level security, a secretary all); to
anyone else, and for a case out of reach, it is a 404. It is never cached
beyond this browser's memory (private, no-store) and never sniffed as
anything but its type.
"""

from __future__ import annotations

import json

from flask import Flask, Response, request
from werkzeug.exceptions import RequestEntityTooLarge

from dashboard.cases import data, scope
from dashboard.web.http_errors import answer
from dashboard.web.session import csrf_ok, language, require_account
from gridgov import photos
from gridgov.cases import NotAllowed
from gridgov.i18n import text

PREFIX = "/data/cases/"
UPLOAD_BYTES = photos.MAX_BYTES + 256 * 1024  # the photo and the form around it


def upload_url(case_id: str) -> str:
    """Where a photo of the case is sent."""
    return f"{PREFIX}{case_id}/photos"


def photo_url(photo_id: str) -> str:
    """Where a stored photo is fetched."""
    return f"{PREFIX}photo/{photo_id}"


def _said(status: int, key: str, photo_id: str | None = None) -> Response:
    body = {"ok": status == 200, "message": text(key, language()), "photo_id": photo_id}
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json")


def upload(case_id: str) -> Response:
    """Store the photo sent for the case by the signed-in grid leader."""
    account = scope.leader()
    case_id = scope.case_id(case_id)
    request.max_content_length = UPLOAD_BYTES  # this route only (Flask 3.1): every other request keeps its limit
    try:
        form, files = request.form, request.files
    except RequestEntityTooLarge:
        return _said(400, "photo_too_big")
    if not csrf_ok(form.get("csrf_token")):
        return answer(403, "the upload lacks this session's CSRF token: use the case page's photo button")
    sent = files.get("photo")
    try:
        photo = photos.clean(sent.read(UPLOAD_BYTES) if sent is not None else b"")
    except photos.PhotoRefused as refused:
        return _said(400, f"photo_{refused.reason}")
    try:
        with scope.found():
            photo_id = data.add_photo(account, case_id, photo)
    except NotAllowed:
        return _said(400, "photo_not_allowed")
    return _said(200, "photo_saved", photo_id)


def serve(photo_id: str) -> Response:
    """The photo, for an account that may see its case; a 404 for anyone else."""
    account = require_account()
    stored = data.photo(account, scope.case_id(photo_id))
    if stored is None:
        return answer(404, "not found")
    response = Response(stored.data, mimetype=stored.content_type)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    return response


def install(server: Flask) -> None:
    """Add the two photo routes."""
    server.add_url_rule(PREFIX + "<case_id>/photos", "case_photo_upload", upload, methods=["POST"])
    server.add_url_rule(PREFIX + "photo/<photo_id>", "case_photo", serve, methods=["GET"])
