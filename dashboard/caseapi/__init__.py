"""The case API (/api/v1) and the Open311 GeoReport v2 intake (/open311/v2), on the dashboard's own server.

One origin serves the phone's session and the systems: a browser signed in
to the dashboard calls /api/v1 with its session cookie (and the session's
CSRF token in `X-CSRF-Token` for a write); a system calls it with
`Authorization: Bearer <token>` and Open311 with `api_key` (gridgov.tokens).
Each route decides who is asking itself (callers.py) and asks the access
policy (gridgov.access `decide`) before anything is read, so the dashboard's
guard lets these paths through to them (PREFIXES). Modules: callers.py (who
is asking, on which connection), cases_api.py (/api/v1), open311.py
(/open311/v2), openapi.py (the documents the server serves), replies.py (JSON
answers and errors).
"""

from __future__ import annotations

from flask import Flask

from dashboard.caseapi import cases_api, open311, openapi

PREFIXES = ("/api/v1/", "/open311/v2/")


def install(server: Flask) -> None:
    """Register the case API, the Open311 intake and their documents on the dashboard's Flask server."""
    server.register_blueprint(cases_api.blueprint)
    server.register_blueprint(open311.blueprint)
    server.register_blueprint(openapi.blueprint)
