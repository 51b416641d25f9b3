"""Raising a case with the photos chosen in the form (/cases?raise=1 → POST /data/cases/raise), on a real PostGIS and in
a phone-sized Chromium: the case and every photo are stored together, each photo an event of the case's history,
stripped of EXIF and served only to who may see the case; a bad photo is named in a message and nothing is stored.

The community is tests/seed_sql.py's: leader1 leads G01, leader23 G02 and G03.
"""

from __future__ import annotations

from pathlib import Path

import dash
import psycopg
import pytest
from auth_client import User, make_users, session_secret, signed_in
from community import CLOCK
from photo_samples import metadata, phone_jpeg, png
from playwright.sync_api import expect
from seed_sql import seed_small_community
from served_app import chromium, serving
from test_phone_cases import INSIDE_G01, SIZE, audited, post, raise_post, show_call, sign_in_on, state_and_events

from gridgov import case_raise, photos
from gridgov.case_store import Opening
from gridgov.cases import Kind, Source

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
NOT_AN_IMAGE = ("notes.pdf", b"%PDF-1.4\n% a leaflet, not a photo\n")


def counts(db_url: str) -> tuple[int, int]:
    """How many cases and photos are stored."""
    with psycopg.connect(db_url) as conn:
        row = conn.execute("SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM case_photos)").fetchone()
    assert row is not None
    return row[0], row[1]


def test_a_case_raised_with_photos_has_each_as_an_event_stripped_audited_and_served_only_to_its_viewers(
    app: dash.Dash, users: dict[str, User], db_url: str
) -> None:
    leader = signed_in(app, users["leader1"])
    answer = raise_post(app, leader, INSIDE_G01, photos=[("IMG_0001.jpg", phone_jpeg()), ("sketch.png", png())])
    assert answer.status_code == 200, answer.get_data(as_text=True)
    case_id = answer.get_json()["case_id"]
    assert answer.get_json()["search"] == f"?case={case_id}&notice=raised_photos"
    assert state_and_events(db_url, case_id) == (
        "assigned", [("open", "field", "leader1"), ("photo", "field", "leader1"), ("photo", "field", "leader1")])
    assert audited(db_url) == [("leader1", case_id, "open"), ("leader1", case_id, "photo"), ("leader1", case_id, "photo")]
    with psycopg.connect(db_url) as conn:
        stored = conn.execute("SELECT photo_id, content_type FROM case_photos WHERE case_id = %s ORDER BY content_type",
                              [case_id]).fetchall()
    assert [t for _, t in stored] == ["image/jpeg", "image/png"]
    history = post(leader, show_call(app, f"?case={case_id}&notice=raised_photos"))
    assert "已上报，照片已保存" in history
    for photo_id, content_type in stored:
        assert f"photo\\u002f{photo_id}" in history  # shown in the case's history
        served = leader.get(f"/data/cases/photo/{photo_id}")
        assert served.status_code == 200 and served.mimetype == content_type
        assert metadata(served.data) == ({}, {})  # no location, no camera, no text chunk
        assert signed_in(app, users["shuji"]).get(f"/data/cases/photo/{photo_id}").status_code == 200
        assert signed_in(app, users["leader23"]).get(f"/data/cases/photo/{photo_id}").status_code == 404


@pytest.mark.parametrize(
    ("point", "sent", "says"),
    [
        (INSIDE_G01, [("IMG_0001.jpg", phone_jpeg()), NOT_AN_IMAGE], "第 2 张照片（notes.pdf）：只能上传 JPEG 或 PNG 照片。"),
        (INSIDE_G01, [("IMG_0001.jpg", b"\xff\xd8\xff" + b"\0" * (10 * 1024 * 1024))], "照片太大：每张最大 10 MB。"),
        (INSIDE_G01, [("blank.jpg", b"")], "第 1 张照片（blank.jpg）：没有选择照片。"),
        (INSIDE_G01, [(f"IMG_{n}.png", png()) for n in range(6)], "一次最多上报 5 张照片"),
        ({"lon": INSIDE_G01["lon"] + SIZE, "lat": INSIDE_G01["lat"]}, [("IMG_0001.jpg", phone_jpeg())], "不在您负责的网格内"),
        (None, [("IMG_0001.jpg", phone_jpeg())], "请在地图上点选位置"),
    ],
    ids=["not-an-image", "too-big", "empty", "too-many", "outside-the-grids", "no-point"],
)
def test_a_refused_report_says_why_and_stores_neither_the_case_nor_any_photo(
    app: dash.Dash, users: dict[str, User], db_url: str, point: dict[str, float] | None, sent: list[tuple[str, bytes]],
    says: str,
) -> None:
    answer = raise_post(app, signed_in(app, users["leader1"]), point, photos=sent)
    assert answer.status_code == 400 and says in answer.get_json()["message"], answer.get_json()
    assert counts(db_url) == (0, 0)
    assert audited(db_url) == []


def test_only_the_leaders_own_form_raises_a_case(app: dash.Dash, users: dict[str, User], db_url: str) -> None:
    leader = signed_in(app, users["leader1"])
    assert raise_post(app, leader, INSIDE_G01, photos=[("a.png", png())], csrf="not the token").status_code == 403
    secretary = signed_in(app, users["shuji"])
    assert raise_post(app, secretary, INSIDE_G01, csrf="x").status_code == 403  # the secretary raises no field case
    assert raise_post(app, leader, {"lon": "nan", "lat": "1e999"}).get_json()["message"] == "请在地图上点选位置，或使用手机定位。"
    assert counts(db_url) == (0, 0)


def test_the_case_and_its_photos_are_one_transaction(db_url: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        seed_small_community(conn)
        refused = photos.Photo(b"GIF89a", "image/gif", 1, 1)  # a photo the table itself refuses, after a good one
        with pytest.raises(psycopg.errors.CheckViolation):
            case_raise.open_with_photos(conn, Opening(Kind.RAISED, category="占道经营", grid_code="G01"),
                                        [photos.clean(png()), refused], source=Source.FIELD, actor="leader1",
                                        clock=CLOCK)
    assert counts(db_url) == (0, 0)  # not the case, not the first photo


@pytest.mark.browser
def test_a_leader_raises_a_case_with_a_photo_chosen_in_the_form_on_a_phone(db_url: str) -> None:
    with psycopg.connect(db_url) as conn:
        seed_small_community(conn)
    users = make_users(db_url)
    ARTIFACTS.mkdir(exist_ok=True)
    env = {"GRIDGOV_DATABASE_URL": db_url, "GRIDGOV_SECRET_KEY": session_secret(), "GRIDGOV_TILE_URL": ""}
    with serving(env, ARTIFACTS / "serve_raise.log") as url, chromium() as browser:
        context = browser.new_context(**PHONE, permissions=["geolocation"],  # type: ignore[arg-type]
                                      geolocation={"latitude": INSIDE_G01["lat"], "longitude": INSIDE_G01["lon"]})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(f"{m.text} {m.location.get('url')}") if m.type == "error" else None)
        sign_in_on(page, url + "cases", users["leader1"])
        page.locator(".gg-case-raise").click()
        page.locator("#raise-category").fill("占道经营")
        page.locator("#raise-locate").click()  # the phone's position
        expect(page.locator("#raise-where")).to_have_text(f"已选位置 {INSIDE_G01['lat']:.5f}, {INSIDE_G01['lon']:.5f}")
        page.locator("#raise-description").fill("人行道上摆摊")

        # a photo and a file that is no image, chosen together: the report is refused, nothing is stored
        with page.expect_file_chooser() as chooser:
            page.locator("#raise-photo-pick").click()
        assert chooser.value.is_multiple()
        chooser.value.set_files([{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": phone_jpeg()},
                                 {"name": NOT_AN_IMAGE[0], "mimeType": "image/jpeg", "buffer": NOT_AN_IMAGE[1]}])
        chosen = page.locator("li.gg-raise-photo")
        expect(chosen).to_have_count(2)
        expect(chosen.nth(1)).to_contain_text("notes.pdf")
        page.locator("#raise-save").click()
        expect(page.locator("#raise-message")).to_have_text(
            "第 2 张照片（notes.pdf）：只能上传 JPEG 或 PNG 照片。案件未上报，请移除或更换这张照片。")
        assert counts(db_url) == (0, 0)
        expect(page.locator("#raise-category")).to_have_value("占道经营")  # the form keeps what was typed
        expect(page.locator("#raise-description")).to_have_value("人行道上摆摊")
        page.screenshot(path=str(ARTIFACTS / "raise_phone_refused.png"), full_page=True)
        small = page.evaluate(
            "() => [...document.querySelectorAll('.gg-cases-page button, .gg-cases-page a')]"
            ".filter(e => e.offsetParent !== null && e.getBoundingClientRect().height < 44).map(e => e.outerHTML)")
        assert small == []  # the picker and each chosen photo's 移除 too

        # the file that is no image taken out again: the case is raised with its photo
        chosen.nth(1).locator(".gg-raise-photo-remove").click()
        expect(chosen).to_have_count(1)
        page.locator("#raise-save").click()
        expect(page.locator(".gg-case-message")).to_have_text("已上报，照片已保存（已去除位置和相机信息）。")
        expect(page.locator(".gg-case-name")).to_have_text("占道经营")
        history = page.locator("li.gg-event")
        expect(history).to_have_count(2)
        assert [history.nth(i).get_attribute("data-action") for i in range(2)] == ["open", "photo"]
        page.wait_for_function("() => { const i = document.querySelector('img.gg-event-photo');"
                               " return i && i.complete && i.naturalWidth > 0; }")
        src = page.locator("img.gg-event-photo").get_attribute("src")
        assert src and page.request.get(url + src.lstrip("/")).status == 200
        page.screenshot(path=str(ARTIFACTS / "raise_phone_raised.png"), full_page=True)
        assert counts(db_url) == (1, 1)
        refusal = f"Failed to load resource: the server responded with a status of 400 (BAD REQUEST) {url}data/cases/raise"
        assert errors == [refusal]  # the refused report's 400, and nothing else (a CSP violation would be one)

        # another grid's leader gets a 404 for the photo
        other = browser.new_context(**PHONE).new_page()  # type: ignore[arg-type]
        sign_in_on(other, url + "cases", users["leader23"])
        expect(other.locator("header h1")).to_have_text("我的案件")
        assert other.request.get(url + src.lstrip("/")).status == 404
