"""Open311 GeoReport v2 intake on the served app: the 12345 platform files requests and follows them.

A request is placed in its grid as the ETL places a point (converted from
GCJ-02 or BD-09 first), filed once per order number, accepted into the
secretary's queue when it lies in no grid, and refused with the standard's
error list when it is wrong; GET answers carry nothing personal.
"""

from __future__ import annotations

import numpy as np
import psycopg
from case_api_server import CATEGORY, Served, served_fixture  # noqa: F401  (the module's server)
from seed_sql import GRIDS, SIZE

from gridgov.coords import wgs84_to_gcj02

REQUESTS = "/open311/v2/requests.json"
ENGLISH = {"Accept-Language": "en"}
CHINESE = {"Accept-Language": "zh-CN"}


def _inside(grid: str, dx: float = 0.5, dy: float = 0.5) -> tuple[float, float]:
    g = next(g for g in GRIDS if g.code == grid)
    return g.west + dx * SIZE, g.south + dy * SIZE


def _file(served: Served, key: str, headers: dict[str, str] | None = None, **fields: str) -> tuple[int, object]:
    reply = served.client().post(REQUESTS, form={"api_key": key, "service_code": CATEGORY, **fields}, headers=headers)
    return reply.status, reply.body


def _case(served: Served, case_id: str) -> tuple[str | None, str, int, str | None]:
    with psycopg.connect(served.db_url) as conn:
        row = conn.execute("SELECT grid_code, state, events, description FROM cases WHERE case_id = %s",
                           [case_id]).fetchone()
    assert row is not None
    return row[0], row[1], row[2], row[3]


def test_services_are_the_work_orders_categories(served: Served) -> None:
    reply = served.client().get(f"/open311/v2/services.json?api_key={served.tokens['intake']}")
    assert reply.status == 200
    assert {"service_code": CATEGORY, "service_name": CATEGORY, "metadata": False, "type": "realtime",
            "group": "work_order"}.items() <= reply.body[0].items()


def test_a_filed_request_is_placed_in_its_grid_once_per_order_number(served: Served) -> None:
    lon, lat = _inside("G02")
    fields = {"lat": str(lat), "long": str(lon), "description": "楼下夜间施工噪音", "phone": "13800000000",
              "attribute[order_no]": "GD-0001"}
    status, body = _file(served, served.tokens["intake"], **fields)
    assert status == 200
    (answer,) = body  # type: ignore[misc]
    assert answer["account_id"] is None and "G02" in answer["service_notice"]
    case_id = answer["service_request_id"]
    assert _case(served, case_id)[:3] == ("G02", "assigned", 3)  # open, assign, the resident's contact as a note
    again_status, again = _file(served, served.tokens["intake"], **fields)
    assert again_status == 200 and again[0]["service_request_id"] == case_id  # type: ignore[index]
    with psycopg.connect(served.db_url) as conn:
        assert conn.execute("SELECT count(*) FROM cases WHERE source_id = 'GD-0001'").fetchone() == (1,)
    # followed by the filer, de-identified: no description, no contact, the point rounded
    shown = served.client().get(f"/open311/v2/requests/{case_id}.json?api_key={served.tokens['intake']}").body[0]
    assert (shown["status"], shown["service_code"], shown["agency_responsible"]) == ("open", CATEGORY, "G02")
    assert "description" not in shown and "13800000000" not in str(shown)
    assert (shown["lat"], shown["long"]) == (round(lat, 3), round(lon, 3))
    listed = served.client().get(f"{REQUESTS}?api_key={served.tokens['read']}&service_request_id={case_id}").body
    assert [r["service_request_id"] for r in listed] == [case_id]


def test_a_gcj02_or_bd09_point_lands_in_the_grid_its_wgs84_point_lies_in(served: Served) -> None:
    # near G01's east edge: the GCJ-02 offset (hundreds of metres) would put the raw numbers in another grid
    lon, lat = _inside("G01", 0.9, 0.5)
    glon, glat = wgs84_to_gcj02(np.array([lon]), np.array([lat]))
    status, body = _file(served, served.tokens["intake"], lat=str(glat[0]), long=str(glon[0]),
                         **{"attribute[crs]": "gcj02"})
    assert status == 200
    assert _case(served, body[0]["service_request_id"])[0] == "G01"  # type: ignore[index]
    status, body = _file(served, served.tokens["intake"], lat=str(glat[0]), long=str(glon[0]))  # taken as WGS-84
    assert _case(served, body[0]["service_request_id"])[0] != "G01"  # type: ignore[index]


def test_a_request_outside_every_grid_waits_in_the_secretarys_queue(served: Served) -> None:
    status, body = _file(served, served.tokens["intake"], lat="39.0", long="116.0", description="路灯不亮")
    assert status == 200
    (answer,) = body  # type: ignore[misc]
    assert "place it by hand" in answer["service_notice"]
    assert _case(served, answer["service_request_id"])[:2] == (None, "received")
    status, body = _file(served, served.tokens["intake"], address_string="幸福里9号楼")  # no point at all
    assert status == 200 and _case(served, body[0]["service_request_id"])[:2] == (None, "received")  # type: ignore[index]


def test_wrong_requests_get_the_standards_error_list(served: Served) -> None:
    lon, lat = _inside("G01")
    cases = [
        ({"service_code": "no such service", "lat": str(lat), "long": str(lon)}, "service_code"),
        ({"lat": "north", "long": str(lon)}, "lat"),
        ({"lat": str(lat)}, "together"),
        ({"lat": str(lat), "long": str(lon), "attribute[crs]": "mars"}, "coordinate system"),
        ({"lat": str(lat), "long": str(lon), "nickname": "x"}, "unknown field"),
        ({}, "location is required"),
    ]
    for fields, says in cases:
        status, body = _file(served, served.tokens["intake"], ENGLISH, **fields)
        assert status == 400, fields
        assert isinstance(body, list) and body[0]["code"] == 400 and says in body[0]["description"], (fields, body)
    xml = served.client().get("/open311/v2/services.xml", headers=ENGLISH)
    assert xml.status == 400 and "JSON" in xml.body[0]["description"]


def test_error_descriptions_are_chinese_unless_the_request_asks_for_english(served: Served) -> None:
    lon, lat = _inside("G01")
    key = served.tokens["intake"]
    for headers, says in (
        ({"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}, "lat 应为十进制度数，而不是 'north'"),
        ({}, "lat 应为十进制度数，而不是 'north'"),  # no Accept-Language: the default language, 简体中文
        ({"Accept-Language": "fr-FR"}, "lat 应为十进制度数，而不是 'north'"),  # none we speak: the default
        ({"Accept-Language": "en-US,en;q=0.9,zh;q=0.5"}, "lat is a number in decimal degrees, not 'north'"),
    ):
        assert _file(served, key, headers, lat="north", long=str(lon)) == (400, [{"code": 400, "description": says}])
    # what gridgov.intake refuses, a key, an address and a format, each in the language asked for
    crs = {"lat": str(lat), "long": str(lon), "attribute[crs]": "mars"}
    assert _file(served, key, CHINESE, **crs)[1] == [
        {"code": 400, "description": "未知坐标系 'mars'；可选：wgs84, cgcs2000, gcj02, bd09"}]
    assert _file(served, "not-a-key", CHINESE)[1] == [{"code": 403, "description": "api_key 无效"}]
    assert _file(served, served.tokens["unit"], CHINESE)[1] == [
        {"code": 403, "description": "角色 unit_system 无权使用 api:intake"}]
    client = served.client()
    assert client.get("/open311/v2/services.xml", headers=CHINESE).body == [
        {"code": 400, "description": "只提供 JSON：请使用 .json 地址"}]
    assert client.get("/open311/v2/nothing", headers=CHINESE).body == [
        {"code": 404, "description": "没有这个地址：/open311/v2/nothing（见 /open311/v2/discovery.json）"}]
    assert client.get(f"{REQUESTS}?api_key={key}&colour=red", headers=CHINESE).body[0]["description"].startswith(
        "未知参数 'colour'；可用参数：api_key, ")
    assert client.get(f"{REQUESTS}?api_key={key}&colour=red", headers=ENGLISH).body[0]["description"].startswith(
        "unknown parameter 'colour'; parameters: api_key, ")


def test_a_revoked_or_unknown_key_or_one_that_may_not_file_is_refused(served: Served) -> None:
    lon, lat = _inside("G01")
    with psycopg.connect(served.db_url) as conn:
        before = conn.execute("SELECT count(*) FROM cases").fetchone()
    for key in (served.tokens["revoked"], "not-a-key", served.tokens["read"], served.tokens["unit"]):
        status, body = _file(served, key, lat=str(lat), long=str(lon))
        assert status == 403 and body[0]["code"] == 403, key  # type: ignore[index]
    with psycopg.connect(served.db_url) as conn:
        assert conn.execute("SELECT count(*) FROM cases").fetchone() == before
    refused = served.client().get(f"{REQUESTS}?api_key={served.tokens['revoked']}")
    assert refused.status == 403


def test_the_discovery_document_lists_the_fields_and_extensions(served: Served) -> None:
    fields = served.client().get("/open311/v2/discovery.json").body["fields"]
    assert {"api_key", "service_code", "lat", "long", "address_string", "description", "attribute[order_no]",
            "attribute[crs]"} <= set(fields)
