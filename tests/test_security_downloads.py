"""Finding 8 and its class: another site making a signed-in user fetch (and be audited for) data.

The attack: a page on another origin navigates a signed-in planner's browser
to `/data/special_groups.geojson`; the browser sends the session cookie
(SameSite=Lax allows top-level GETs) and the planner downloads an export,
audited in their name. The class: any request another site can make the
browser send with the user's session. Downloads are now a POST carrying the
session's CSRF token; a GET is a 405; a POST without the token (or with
another session's) a 403; and a data URL or callback that the browser says
another site started (Sec-Fetch-Site) is a 403 before anything is read.
"""

from __future__ import annotations

import dash
import psycopg
from auth_client import User, callback, signed_in
from download_client import csrf_token, download

from gridgov import audit


def audited(db_url: str) -> list[audit.Event]:
    with psycopg.connect(db_url) as conn:
        return [e for e in audit.recent(conn, limit=1000) if e.action in (audit.EXPORT, audit.VIEW_DEIDENTIFIED)]


def test_a_download_by_navigation_is_refused_and_not_audited(app: dash.Dash, users: dict[str, User], db_url: str) -> None:
    client = signed_in(app, users["guihua"])
    for url in ("/data/special_groups.geojson", "/data/special_groups.gpkg?grid=G01", "/data/hazards.geojson?from=2026-01-01"):
        response = client.get(url)  # what a link, a redirect or window.location on another site makes the browser send
        assert response.status_code == 405, url
        assert response.headers["Allow"] == "POST"
        assert "POST" in response.get_json()["error"] and "Content-Disposition" not in response.headers
    assert client.head("/data/special_groups.geojson").status_code == 405
    assert audited(db_url) == []


def test_a_post_without_this_sessions_token_is_refused(app: dash.Dash, users: dict[str, User], db_url: str) -> None:
    client = signed_in(app, users["guihua"])
    csrf_token(client)  # the session has a token; the forged form does not know it
    for data in ({}, {"csrf_token": ""}, {"csrf_token": "forged"}):
        response = client.post("/data/special_groups.geojson", data=data)
        assert response.status_code == 403, data
        assert "CSRF token" in response.get_json()["error"] and "Content-Disposition" not in response.headers
    # another planner's token is no good in this session
    other = signed_in(app, users["guihua"])
    response = client.post("/data/special_groups.gpkg", data={"csrf_token": csrf_token(other)})
    assert response.status_code == 403
    # the token in the query string (a link carrying it) is not read
    token = csrf_token(client)
    assert client.post(f"/data/special_groups.geojson?csrf_token={token}").status_code == 403
    assert audited(db_url) == []


def test_requests_another_site_started_are_refused_before_anything_is_read(
    app: dash.Dash, users: dict[str, User], db_url: str
) -> None:
    client = signed_in(app, users["guihua"])
    token = csrf_token(client)
    foreign = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"}
    for url in ("/data/special_groups.json", "/data/special_groups.pbf", "/data/facilities/detail.json"):
        response = client.get(url, headers=foreign)
        assert response.status_code == 403, url
        assert "another site" in response.get_json()["error"]
    response = client.post("/data/special_groups.geojson", data={"csrf_token": token}, headers={"Sec-Fetch-Site": "same-site"})
    assert response.status_code == 403
    page = callback("page.children", [("url", "pathname", "/export")])
    assert client.post("/_dash-update-component", json=page, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert audited(db_url) == []
    # a page may still be linked to from another site; the dashboard's own requests and typed URLs go through
    assert client.get("/export", headers=foreign).status_code == 200
    assert client.get("/data/special_groups.json", headers={"Sec-Fetch-Site": "same-origin"}).status_code == 200
    assert client.get("/data/special_groups.json", headers={"Sec-Fetch-Site": "none"}).status_code == 200


def test_the_export_pages_download_posts_the_token_and_is_audited(app: dash.Dash, users: dict[str, User], db_url: str) -> None:
    client = signed_in(app, users["guihua"])
    response = download(client, "/data/special_groups.geojson?grid=G01", page="/export")
    assert response.status_code == 200 and response.headers["Content-Disposition"].startswith("attachment;")
    (event,) = audited(db_url)
    assert event.action == audit.EXPORT and event.username == "guihua" and event.detail["query"] == {"grid": ["G01"]}
    # the page's form: POST, the token as a hidden field, each button posting to its file's URL
    built = client.post("/_dash-update-component", json=callback("page.children", [("url", "pathname", "/export")]))
    text = built.get_data(as_text=True)
    assert '"method":"POST"' in text.replace(" ", "") and '"name":"csrf_token"' in text.replace(" ", "")
