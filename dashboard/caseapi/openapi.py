"""The case API's description, served by the server: `GET /api/v1/openapi.json` (OpenAPI 3.1, written by hand).

Hand-written because the routes are plain Flask: tests/test_cases_api.py
checks that every route of /api/v1 is in it and every reference resolves.
The Open311 side describes itself in /open311/v2/discovery.json (its fields
and extensions: dashboard.caseapi.open311 FIELDS). Neither holds any data,
so both are served without signing in.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from dashboard.caseapi.params import EVENT_FIELDS, LIST_PARAMETERS
from dashboard.caseapi.replies import reply
from gridgov.case_answers import FIELDS
from gridgov.case_queries import MAX_PAGE
from gridgov.cases import Kind, State
from gridgov.vocabulary import SATISFACTION

blueprint = Blueprint("caseapi_docs", __name__)

_ERROR = {"$ref": "#/components/responses/Error"}
_SECURITY: list[dict[str, list[str]]] = [{"session": []}, {"bearer": []}]


def _param(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


_LIST_PARAMS: dict[str, tuple[dict[str, Any], str]] = {
    "grid": ({"type": "string"}, "grid code (repeat, or comma-separated)"),
    "category": ({"type": "string"}, "category (repeat)"),
    "state": ({"type": "string", "enum": [s.value for s in State]}, "state (repeat)"),
    "kind": ({"type": "string", "enum": [k.value for k in Kind]}, "kind (repeat)"),
    "open": ({"type": "boolean"}, "open cases only"),
    "overdue": ({"type": "boolean"}, "past a deadline it has not met"),
    "escalated": ({"type": "boolean"}, "a unit called in has not yet acknowledged (报到)"),
    "unplaced": ({"type": "boolean"}, "waiting in the secretary's queue to be placed"),
    "limit": ({"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 100}, "page size"),
    "offset": ({"type": "integer", "minimum": 0, "default": 0}, "cases to skip"),
}
assert set(_LIST_PARAMS) == set(LIST_PARAMETERS)

_CASE_PROPERTIES: dict[str, Any] = {name: {} for name in FIELDS} | {
    "case_id": {"type": "string"},
    "state": {"type": "string", "enum": [s.value for s in State]},
    "kind": {"type": "string", "enum": [k.value for k in Kind]},
    "age_seconds": {"type": "integer"},
    "description": {"type": ["string", "null"], "description": "whole cases only"},
    "address": {"type": ["string", "null"], "description": "whole cases only"},
    "lon": {"type": ["number", "null"], "description": "WGS-84; rounded to 3 decimals when de-identified"},
    "lat": {"type": ["number", "null"]},
}

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "gridgov case API",
        "version": "1",
        "description": (
            "Cases of the grid's loop as JSON. A signed-in browser uses its session cookie and sends the "
            "session's CSRF token (GET /api/v1/session) as X-CSRF-Token with every POST; a system sends "
            "Authorization: Bearer <token> (gridgov token add). A grid leader sees their grids' cases, the "
            "secretary all, a unit's token the cases its unit is called in on; intake and read tokens see "
            "every case de-identified (no description, address, notes or actors; the point rounded)."
        ),
    },
    "servers": [{"url": "/"}],
    "security": _SECURITY,
    "paths": {
        "/api/v1/session": {"get": {
            "summary": "Who is asking, and the session's CSRF token",
            "responses": {"200": {"description": "the caller", "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/Session"}}}}, "401": _ERROR},
        }},
        "/api/v1/cases": {"get": {
            "summary": "A page of the cases the caller may see, most urgent first",
            "parameters": [_param(name, schema, text) for name, (schema, text) in _LIST_PARAMS.items()],
            "responses": {"200": {"description": "a page", "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/CasePage"}}}}, "400": _ERROR, "401": _ERROR, "403": _ERROR},
        }},
        "/api/v1/cases/{case_id}": {"get": {
            "summary": "One case with its events, photos (by id) and the actions the caller may take now",
            "parameters": [{"$ref": "#/components/parameters/CaseId"}],
            "responses": {"200": {"description": "the case", "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/CaseWithEvents"}}}}, "401": _ERROR, "403": _ERROR, "404": _ERROR},
        }},
        "/api/v1/cases/{case_id}/events": {"post": {
            "summary": "Add one event to the case; its source is the caller's",
            "parameters": [
                {"$ref": "#/components/parameters/CaseId"},
                {"name": "X-CSRF-Token", "in": "header", "required": False, "schema": {"type": "string"},
                 "description": "required with a session (not with a bearer token)"},
            ],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/EventBody"}}}},
            "responses": {
                "201": {"description": "written", "content": {"application/json": {"schema": {
                    "$ref": "#/components/schemas/Written"}}}},
                "400": _ERROR, "401": _ERROR, "403": _ERROR, "404": _ERROR,
                "409": {"description": "the case does not allow the action now", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/NotAllowed"}}}},
            },
        }},
        "/api/v1/openapi.json": {"get": {
            "summary": "This document", "security": [],
            "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {}}}},
        }},
    },
    "components": {
        "securitySchemes": {
            "session": {"type": "apiKey", "in": "cookie", "name": "gridgov_session"},
            "bearer": {"type": "http", "scheme": "bearer"},
        },
        "parameters": {"CaseId": {"name": "case_id", "in": "path", "required": True, "schema": {"type": "string"}}},
        "responses": {"Error": {"description": "refused", "content": {"application/json": {"schema": {
            "$ref": "#/components/schemas/Error"}}}}},
        "schemas": {
            "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
            "NotAllowed": {"type": "object", "required": ["error", "allowed"], "properties": {
                "error": {"type": "string"}, "allowed": {"type": "array", "items": {"type": "string"}}}},
            "Session": {"type": "object", "properties": {
                "who": {"type": "string"}, "role": {"type": "string"},
                "grids": {"type": "array", "items": {"type": "string"}}, "unit": {"type": ["string", "null"]},
                "csrf_token": {"type": ["string", "null"]}}},
            "Case": {"type": "object", "properties": _CASE_PROPERTIES},
            "CasePage": {"type": "object", "properties": {
                "cases": {"type": "array", "items": {"$ref": "#/components/schemas/Case"}},
                "limit": {"type": "integer"}, "offset": {"type": "integer"},
                "next_offset": {"type": ["integer", "null"]}}},
            "Event": {"type": "object", "properties": {
                "seq": {"type": "integer"}, "action": {"type": "string"}, "source": {"type": "string"},
                "at": {"type": "string", "format": "date-time"}, "actor": {"type": "string"},
                "detail": {"type": "object"}}},
            "CaseWithEvents": {"allOf": [{"$ref": "#/components/schemas/Case"}, {"type": "object", "properties": {
                "events": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}},
                "photos": {"type": "array", "items": {"type": "object"}},
                "allowed": {"type": "array", "items": {"type": "string"}}}}]},
            "EventBody": {
                "type": "object", "required": ["action"], "additionalProperties": False,
                "description": "fields each action takes: " + "; ".join(
                    f"{a}: {', '.join(sorted(f))}" for a, f in EVENT_FIELDS.items()),
                "properties": {
                    "action": {"type": "string", "enum": list(EVENT_FIELDS)},
                    "note": {"type": "string"}, "reason": {"type": "string"},
                    "units": {"type": "array", "items": {"type": "string"}},
                    "unit": {"type": "string", "description": "a unit's token: its own unit (set for it)"},
                    "satisfaction": {"type": "string", "enum": list(SATISFACTION)},
                    "grid_code": {"type": "string"}, "deadline": {"type": "string", "format": "date"},
                },
            },
            "Written": {"type": "object", "properties": {
                "case_id": {"type": "string"}, "action": {"type": "string"}, "state": {"type": "string"},
                "grid_code": {"type": ["string", "null"]}}},
        },
    },
}


@blueprint.get("/api/v1/openapi.json")
def document() -> Response:
    """The case API's OpenAPI document."""
    return reply(DOCUMENT)
