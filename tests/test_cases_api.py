"""The case API (/api/v1) on the served app: scoped reads, events written by the case store, each audited once.

A request filed through Open311 reaches its grid's leader, who responds and
resolves it with the session and its CSRF token; another grid's leader gets
404 for it by every address; a unit's system acknowledges what it is called in
on and sees nothing else; an action the case does not allow is a 409 naming
what it does allow.
"""

from __future__ import annotations

import re

import psycopg
from case_api_server import CATEGORY, UNIT, Served, served_fixture  # noqa: F401  (the module's server)
from conftest import REPO
from seed_sql import GRIDS, SIZE

from gridgov.case_field import CASE_ACTION


def _filed(served: Served, grid: str, order_no: str) -> str:
    g = next(g for g in GRIDS if g.code == grid)
    reply = served.client().post("/open311/v2/requests.json", form={
        "api_key": served.tokens["intake"], "service_code": CATEGORY, "description": "楼上漏水",
        "lat": str(g.south + SIZE / 2), "long": str(g.west + SIZE / 2), "attribute[order_no]": order_no,
    })
    assert reply.status == 200, reply.body
    return str(reply.body[0]["service_request_id"])


def _stored(served: Served, case_id: str) -> tuple[list[str], list[str]]:
    """The case's stored actions, and the actions of its audit rows."""
    with psycopg.connect(served.db_url) as conn:
        events = [r[0] for r in conn.execute("SELECT action FROM case_events WHERE case_id = %s ORDER BY seq", [case_id])]
        audited = [r[0] for r in conn.execute(
            "SELECT detail->>'action' FROM audit WHERE action = %s AND detail->>'case_id' = %s ORDER BY id",
            [CASE_ACTION, case_id])]
    return events, audited


def test_the_grids_leader_responds_and_resolves_with_the_session_and_its_csrf_token(served: Served) -> None:
    case_id = _filed(served, "G01", "API-1")
    leader = served.client()
    csrf = leader.sign_in(served.users["leader1"])
    listed = leader.get("/api/v1/cases?open=true").body["cases"]
    assert case_id in [c["case_id"] for c in listed] and {c["grid_code"] for c in listed} == {"G01"}
    shown = leader.get(f"/api/v1/cases/{case_id}").body
    assert shown["description"] == "楼上漏水" and shown["allowed"][:2] == ["respond", "start"]
    path = f"/api/v1/cases/{case_id}/events"
    assert leader.post(path, body={"action": "respond"}).status == 403  # no CSRF token: nothing written
    responded = leader.post(path, body={"action": "respond", "note": "已电话联系"}, headers={"X-CSRF-Token": csrf})
    assert (responded.status, responded.body["state"]) == (201, "responded")
    resolved = leader.post(path, body={"action": "resolve", "note": "已修好"}, headers={"X-CSRF-Token": csrf})
    assert (resolved.status, resolved.body["state"]) == (201, "resolved")
    refused = leader.post(path, body={"action": "verify"}, headers={"X-CSRF-Token": csrf})
    assert refused.status == 409 and "verify" not in refused.body["allowed"] and "note" in refused.body["allowed"]
    events, audited = _stored(served, case_id)
    assert events == ["open", "assign", "respond", "resolve"] and audited == ["respond", "resolve"]
    history = leader.get(f"/api/v1/cases/{case_id}").body["events"]
    assert [(e["action"], e["source"]) for e in history][2:] == [("respond", "field"), ("resolve", "field")]


def test_another_grids_leader_gets_404_by_every_address(served: Served) -> None:
    case_id = _filed(served, "G01", "API-2")
    other = served.client()
    csrf = other.sign_in(served.users["leader23"])
    assert other.get(f"/api/v1/cases/{case_id}").status == 404
    written = other.post(f"/api/v1/cases/{case_id}/events", body={"action": "respond"}, headers={"X-CSRF-Token": csrf})
    assert written.status == 404 and "楼上漏水" not in str(written.body)
    assert case_id not in [c["case_id"] for c in other.get("/api/v1/cases?grid=G01").body["cases"]]
    assert _stored(served, case_id) == (["open", "assign"], [])


def test_a_unit_acknowledges_what_it_is_called_in_on_and_sees_nothing_else(served: Served) -> None:
    called, other = _filed(served, "G02", "API-3"), _filed(served, "G02", "API-4")
    secretary = served.client()
    csrf = secretary.sign_in(served.users["shuji"])
    escalated = secretary.post(f"/api/v1/cases/{called}/events", headers={"X-CSRF-Token": csrf},
                               body={"action": "escalate", "units": [UNIT], "reason": "管道在物业范围"})
    assert escalated.status == 201
    assert list(escalated.body["unit_links"]) == [UNIT]  # the link to send the unit, given once
    assert "/unit/" in escalated.body["unit_links"][UNIT]
    unit = served.system("unit")
    assert [c["case_id"] for c in unit.get("/api/v1/cases").body["cases"]] == [called]
    assert unit.get(f"/api/v1/cases/{other}").status == 404
    assert unit.post(f"/api/v1/cases/{other}/events", body={"action": "acknowledge"}).status == 404
    acked = unit.post(f"/api/v1/cases/{called}/events", body={"action": "acknowledge"})  # no CSRF: a token, not a cookie
    assert acked.status == 201
    assert unit.post(f"/api/v1/cases/{called}/events", body={"action": "acknowledge", "unit": "派出所"}).status == 400
    events, audited = _stored(served, called)
    assert events[-2:] == ["escalate", "acknowledge"] and audited == ["escalate", "acknowledge"]
    with psycopg.connect(served.db_url) as conn:
        assert conn.execute("SELECT actor, detail->>'unit' FROM case_events WHERE case_id = %s AND action = 'acknowledge'",
                            [called]).fetchone() == ("token:unit-system", UNIT)


def test_bad_bodies_and_callers_are_refused_before_anything_is_written(served: Served) -> None:
    case_id = _filed(served, "G03", "API-5")
    intake = served.system("intake")
    path = f"/api/v1/cases/{case_id}/events"
    assert intake.post(path, raw=b"{not json", headers={"Content-Type": "application/json"}).status == 400
    assert intake.post(path, body={"action": "note", "note": "x", "colour": "red"}).status == 400
    assert intake.post(path, body={"action": "fly"}).status == 400
    assert intake.post(path, body=["note"]).status == 400
    assert served.system("read").post(path, body={"action": "note", "note": "x"}).status == 403
    assert served.client({"Authorization": "Bearer nope"}).get("/api/v1/cases").status == 401
    assert served.client().get("/api/v1/cases").status == 401  # neither signed in nor a token
    planner = served.client()
    planner.sign_in(served.users["guihua"])
    assert planner.get("/api/v1/cases").status == 403
    assert _stored(served, case_id) == (["open", "assign"], [])
    noted = intake.post(path, body={"action": "note", "note": "居民再次来电"})
    assert noted.status == 201 and _stored(served, case_id) == (["open", "assign", "note"], ["note"])
    # a system that reads sees every case de-identified: no description, no note's text, no actor
    shown = served.system("read").get(f"/api/v1/cases/{case_id}").body
    assert "description" not in shown and "居民再次来电" not in str(shown) and "actor" not in shown["events"][0]


def test_the_openapi_document_describes_every_route_of_the_api(served: Served) -> None:
    document = served.client().get("/api/v1/openapi.json").body
    assert document["openapi"].startswith("3.1")
    paths = set(document["paths"])
    assert {"/api/v1/session", "/api/v1/cases", "/api/v1/cases/{case_id}", "/api/v1/cases/{case_id}/events"} <= paths
    for ref in re.findall(r'"\$ref": "#/([^"]+)"', __import__("json").dumps(document)):
        node = document
        for part in ref.split("/"):
            node = node[part]  # every reference resolves


def test_the_readmes_curl_examples_work(served: Served) -> None:
    import subprocess

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Case API and Open311 intake", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    assert blocks, "the README's section has no curl examples"
    env = {"BASE": served.url.rstrip("/"), "KEY": served.tokens["intake"], "TOKEN": served.tokens["unit"],
           "PATH": "/usr/bin:/bin"}
    case_id = _filed(served, "G01", "API-CURL")
    secretary = served.client()
    csrf = secretary.sign_in(served.users["shuji"])
    secretary.post(f"/api/v1/cases/{case_id}/events", headers={"X-CSRF-Token": csrf},
                   body={"action": "escalate", "units": [UNIT], "reason": "需物业处理"})
    env["CASE"] = case_id
    for block in blocks:
        script = "set -e\n" + block
        done = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, (block, done.stdout, done.stderr)


def test_a_work_order_known_only_from_its_file_is_listed_read_and_acted_on_under_one_id(served: Served) -> None:
    """An office file's work order no one has touched has no case row; the first action gives it one, with the
    file's facts as its first event, and its id stays the same. Another grid's leader never reaches it."""
    with psycopg.connect(served.db_url, autocommit=True) as conn:
        # the grids' own load run: a record as `gridgov load` leaves it (tests/test_dashboard_wall.py does the same)
        conn.execute(
            "INSERT INTO complaints (ticket_id, received_at, category, content, address, geocoded_by, geom,"
            " grid_code, load_run_id, source_row) SELECT 'FILE-1', now() - interval '1 hour', '噪音扰民', '夜间施工',"
            " '一号楼', 'wgs84', ST_PointOnSurface(geom), grid_code, load_run_id, 1 FROM grids WHERE grid_code = 'G01'"
        )
    case_id = "W-FILE-1"
    leader = served.client()
    csrf = leader.sign_in(served.users["leader1"])
    assert case_id in [c["case_id"] for c in leader.get("/api/v1/cases?open=true").body["cases"]]
    shown = leader.get(f"/api/v1/cases/{case_id}").body
    assert (shown["state"], shown["description"], shown["allowed"][:2]) == ("assigned", "夜间施工", ["respond", "start"])
    assert [(e["seq"], e["action"], e["source"]) for e in shown["events"]] == [(1, "import", "import")]
    assert _stored(served, case_id) == ([], [])  # no row, no event yet

    other = served.client()
    other_csrf = other.sign_in(served.users["leader23"])
    assert other.get(f"/api/v1/cases/{case_id}").status == 404
    refused = other.post(f"/api/v1/cases/{case_id}/events", body={"action": "respond"},
                         headers={"X-CSRF-Token": other_csrf})
    assert refused.status == 404 and _stored(served, case_id) == ([], [])

    responded = leader.post(f"/api/v1/cases/{case_id}/events", body={"action": "respond"},
                            headers={"X-CSRF-Token": csrf})
    assert (responded.status, responded.body["state"]) == (201, "responded")
    assert _stored(served, case_id) == (["import", "respond"], ["respond"])
    after = leader.get(f"/api/v1/cases/{case_id}").body
    assert after["case_id"] == case_id and after["events"][0] == shown["events"][0]
    assert [c["case_id"] for c in leader.get("/api/v1/cases?open=true").body["cases"]].count(case_id) == 1
