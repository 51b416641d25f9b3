"""Open311 GeoReport v2 on /open311/v2: the 12345 platform and other systems file requests and follow them.

    GET  /open311/v2/discovery.json          the endpoint, its formats, and the fields and extensions accepted
    GET  /open311/v2/services.json           the work orders' categories as services (api_key: intake or read)
    POST /open311/v2/requests.json           file a request (api_key: intake), form-encoded, the standard's names
    GET  /open311/v2/requests.json           follow requests, de-identified (api_key: intake or read)
    GET  /open311/v2/requests/<id>.json      one request, the same

Only JSON is served: a `.xml` address is a 400 saying so. The accepted
fields, the two extensions (`attribute[order_no]`: the 12345 order number,
which makes filing idempotent; `attribute[crs]`: wgs84, gcj02 or bd09 for
`lat`/`long`) and what a request's answer holds are listed in FIELDS (served
in discovery.json) and in README.md. A request is placed in its grid by
gridgov.intake; one that cannot be placed is accepted into the secretary's
queue with a notice saying so. The resident's contact (names, phone, email)
and media_url become one note on the case, which only those who see the case
whole can read. Answers to GET carry no personal data: no description, no
address, no contact, the point rounded to about 100 m (gridgov.case_answers).
Errors are the standard's list, `[{"code": 400, "description": "..."}]`; a
key unknown or revoked (or of a scope the policy does not allow) is a 403.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Response, request
from werkzeug.datastructures import MultiDict

from dashboard.caseapi import callers
from dashboard.caseapi.callers import Caller
from dashboard.caseapi.replies import install_errors, open311_said, reply
from dashboard.web.appctx import pool, settings
from gridgov import audit, case_answers, intake, numbers
from gridgov.case_queries import MAX_PAGE, CaseFilter, list_cases
from gridgov.cases import DONE, Kind
from gridgov.clock import Clock
from gridgov.errors import Forbidden, InputError, NotFound
from layers import answers

blueprint = Blueprint("open311", __name__, url_prefix="/open311/v2")
install_errors(blueprint, open311=True)

ORDER_NO = "attribute[order_no]"  # extension: the 12345 order number (工单编号); filing it again is the same case
CRS = "attribute[crs]"  # extension: the coordinate system of lat/long (default wgs84)
CONTACT = ("first_name", "last_name", "phone", "email", "media_url", "address_id", "device_id", "account_id")
FIELDS: dict[str, str] = {
    "api_key": "required: a token of scope intake (gridgov token add NAME --scope intake)",
    "service_code": "required: one of services.json's service_code",
    "lat": "latitude; with long, where the problem is (in attribute[crs])",
    "long": "longitude",
    "address_string": "the address as the resident gave it (lat/long or address_string is required)",
    "description": "what the resident said (kept for the grid's leader and the secretary, never shown by GET)",
    "first_name": "the resident's contact: kept as a note on the case for its grid leader, never shown by GET",
    "last_name": "as first_name",
    "phone": "as first_name",
    "email": "as first_name",
    "media_url": "a photo the filer hosts: kept in the same note",
    "address_id": "kept in the same note",
    "device_id": "kept in the same note",
    "account_id": "kept in the same note",
    "jurisdiction_id": "accepted and ignored: one community answers here",
    ORDER_NO: "extension: the 12345 order number; the same number filed again answers the same service_request_id",
    CRS: "extension: wgs84 (default), cgcs2000, gcj02 (Amap, Tencent) or bd09 (Baidu)",
}
LIST_PARAMETERS = (
    "api_key", "jurisdiction_id", "service_request_id", "service_code", "start_date", "end_date", "status",
    "page", "page_size",
)
MAX_IDS = 100
MAX_FIELD = 4000
SERVICE_READS = frozenset({"complaints", "case_deadlines"})


def _clock() -> Clock:
    return settings().layers.clock()


def _caller(key: str | None, resource: str) -> Caller:
    """The system whose api_key this is, if the policy grants it `resource`; a 403 otherwise (400 with no key)."""
    if not key:
        raise InputError.said("open311_key_required")
    caller = callers.system(key)
    if caller is None:
        raise Forbidden.said("open311_key_invalid")
    callers.allow(caller, resource)
    return caller


def _services() -> list[str]:
    with pool().connection() as conn:
        at = answers.stamp(conn)
        return answers.remembered(at, ("open311_services",), lambda: intake.categories(conn), reads=SERVICE_READS)


@blueprint.get("/discovery.json")
def discovery() -> Response:
    """Where the endpoint is and what it takes (no key needed: it holds no data)."""
    base = request.host_url.rstrip("/") + "/open311/v2/"
    return reply({
        "changeset": "2026-12-01T00:00:00+08:00",
        "contact": "the community office that runs gridgov",
        "key_service": "the community's administrator: gridgov token add NAME --scope intake",
        "endpoints": [{"specification": "http://wiki.open311.org/GeoReport_v2", "url": base,
                       "changeset": "2026-12-01T00:00:00+08:00", "type": "production", "formats": ["application/json"]}],
        "fields": FIELDS,
        "answers": "GET answers hold no description, address or contact; lat/long rounded to 3 decimals",
    })


@blueprint.get("/services.json")
def services() -> Response:
    """The categories a request may name."""
    _caller(request.args.get("api_key"), "open311")
    return reply([
        {"service_code": c, "service_name": c, "description": f"12345 work order: {c}", "metadata": False,
         "type": "realtime", "keywords": c, "group": "work_order"}
        for c in _services()
    ])


@blueprint.get("/services/<code>.json")
def service_definition(code: str) -> Response:
    """No service has attributes to define (metadata false)."""
    raise NotFound.said("open311_no_definition")


def _coordinate(form: MultiDict[str, str], name: str) -> float | None:
    value = form.get(name, "").strip()
    if not value:
        return None
    number = numbers.finite(value)
    if number is None:
        raise InputError.said("open311_not_degrees", name=name, value=repr(value[:40]))
    return number


def _text(form: MultiDict[str, str], name: str) -> str | None:
    value = form.get(name, "").strip()
    if len(value) > MAX_FIELD:
        raise InputError.said("open311_too_long", name=name, most=MAX_FIELD)
    return value or None


def _filing(form: MultiDict[str, str]) -> intake.Request:
    unknown = sorted(set(form) - set(FIELDS))
    if unknown:
        raise InputError.said("open311_unknown_field", field=repr(unknown[0][:40]))
    lon, lat = _coordinate(form, "long"), _coordinate(form, "lat")
    if (lon is None) != (lat is None):
        raise InputError.said("open311_lat_long_together")
    address = _text(form, "address_string")
    if lon is None and address is None:
        raise InputError.said("open311_location_required")
    service = _text(form, "service_code")
    if service is None:
        raise InputError.said("open311_service_required")
    contact = {name: value for name in CONTACT if (value := _text(form, name))}
    return intake.Request(
        service, lon, lat, (form.get(CRS) or "wgs84").strip().lower(), address, _text(form, "description"),
        _text(form, ORDER_NO), contact,
    )


@blueprint.post("/requests.json")
def file_request() -> Response:
    """File a request: the case's id, and a notice saying where it went."""
    form = request.form
    caller = _caller(form.get("api_key"), "intake")
    filing = _filing(form)
    known = _services()
    with pool().connection() as conn:
        filed = intake.file(conn, filing, known=known, actor=caller.name, clock=_clock())
        audit.record(conn, username=caller.name, action=intake.FILED, ip=request.remote_addr, detail={
            "via": request.path, "case_id": filed.case_id, "new": filed.new, "grid_code": filed.grid_code,
        })
    if not filed.new:
        notice = "already received with this order number"
    elif filed.grid_code is None:
        notice = "received; its location lies in no grid, so the community office will place it by hand"
    else:
        notice = f"received and sent to grid {filed.grid_code}"
    return reply([{"service_request_id": filed.case_id, "service_notice": notice, "account_id": None}])


def _when(args: MultiDict[str, str], name: str, zone: Any) -> datetime | None:
    value = args.get(name)
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InputError.said("open311_not_datetime", name=name) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _number(args: MultiDict[str, str], name: str, default: int, most: int) -> int:
    value = args.get(name, str(default))
    if not value.isdigit() or not 1 <= int(value[:9]) <= most:
        raise InputError.said("open311_not_whole", name=name, most=most)
    return int(value)


def _answer(row: dict[str, Any]) -> dict[str, Any]:
    """One request as GET answers it: its state and times, no personal data."""
    plain = case_answers.case(row, whole=False)
    unplaced = "; waiting for the community office to place it" if row["grid_code"] is None else ""
    return {
        "service_request_id": row["case_id"],
        "status": "open" if row["is_open"] else "closed",
        "status_notes": row["state"] + unplaced,
        "service_name": row["category"], "service_code": row["category"],
        "agency_responsible": row["grid_code"], "service_notice": None,
        "requested_datetime": plain["received_at"], "updated_datetime": plain["updated_at"],
        "expected_datetime": plain["due_at"],
        "lat": plain["lat"], "long": plain["lon"],
    }


@blueprint.get("/requests.json")
def requests_list() -> Response:
    """Requests (work orders) by id, category, time received and status; a bounded page, oldest first."""
    args = request.args
    caller = _caller(args.get("api_key"), "open311")
    unknown = sorted(set(args) - set(LIST_PARAMETERS))
    if unknown:
        raise InputError.said("open311_unknown_parameter", parameter=repr(unknown[0][:40]),
                              parameters=", ".join(LIST_PARAMETERS))
    ids = [i.strip() for i in args.get("service_request_id", "").split(",") if i.strip()]
    if len(ids) > MAX_IDS:
        raise InputError.said("open311_too_many_ids", most=MAX_IDS)
    status = [s.strip() for s in args.get("status", "").split(",") if s.strip()]
    if not set(status) <= {"open", "closed"}:
        raise InputError.said("open311_status")
    zone = _clock().zone
    size = _number(args, "page_size", 100, MAX_PAGE)
    wanted = CaseFilter(
        kinds=(Kind.WORK_ORDER,),
        categories=[c.strip() for c in args.get("service_code", "").split(",") if c.strip()],
        open_only=status == ["open"],
        states=tuple(DONE) if status == ["closed"] else (),
        received_from=_when(args, "start_date", zone), received_before=_when(args, "end_date", zone),
        limit=size, offset=(_number(args, "page", 1, 10**6) - 1) * size,
    )
    with pool().connection() as conn:
        if ids:
            rows = [row for i in ids for row in list_cases(conn, _one_of(wanted, i), _clock())]
        else:
            rows = list_cases(conn, wanted, _clock())
    callers.audited(caller, audit.VIEW_DEIDENTIFIED, {"cases": len(rows)})
    return reply([_answer(r) for r in rows])


def _one_of(wanted: CaseFilter, case_id: str) -> CaseFilter:
    return CaseFilter(kinds=wanted.kinds, categories=wanted.categories, open_only=wanted.open_only,
                      states=wanted.states, received_from=wanted.received_from,
                      received_before=wanted.received_before, case_id=case_id, limit=1)


@blueprint.get("/requests/<case_id>.json")
def request_one(case_id: str) -> Response:
    """One request, de-identified (the standard answers it as a list of one)."""
    caller = _caller(request.args.get("api_key"), "open311")
    with pool().connection() as conn:
        rows = list_cases(conn, CaseFilter(kinds=(Kind.WORK_ORDER,), case_id=case_id, limit=1), _clock())
    if not rows:
        raise NotFound.said("open311_no_request", id=case_id[:40])
    callers.audited(caller, audit.VIEW_DEIDENTIFIED, {"case_id": case_id})
    return reply([_answer(rows[0])])


@blueprint.route("/<path:rest>.xml", methods=["GET", "POST"])
def xml(rest: str) -> Response:
    """Open311's XML is optional and not served here."""
    return open311_said(400, "open311_json_only")


@blueprint.route("/<path:rest>", methods=["GET", "POST"])
def unknown(rest: str) -> Response:
    """Any other path: a 404 in the standard's format."""
    return open311_said(404, "open311_no_address", path=rest[:80])
