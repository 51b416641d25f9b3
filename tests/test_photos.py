"""Case photos (gridgov/photos.py) on a real PostGIS: checked by their bytes, stripped of EXIF, stored with their
case's event under the grid leader's row-level security."""

from __future__ import annotations

import io
from collections.abc import Iterator

import psycopg
import pytest
from community import CLOCK
from photo_samples import GPS_IFD, phone_jpeg, png
from photo_samples import metadata as meta
from PIL import Image
from seed_sql import seed_small_community

from gridgov import case_store, photos
from gridgov.case_store import Opening
from gridgov.cases import Kind, NotAllowed, Source
from gridgov.errors import NotFound
from gridgov.rls import grid_reader_transaction


@pytest.fixture
def conn(db_url: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(db_url, autocommit=True) as c:
        seed_small_community(c)
        yield c


def raised(conn: psycopg.Connection, grid: str) -> str:
    return case_store.open_case(conn, Opening(Kind.RAISED, category="占道经营", grid_code=grid), source=Source.FIELD,
                                actor="t", clock=CLOCK)


def test_a_phone_jpeg_loses_its_location_and_camera_and_is_turned_upright() -> None:
    raw = phone_jpeg(64, 32)
    tags, _ = meta(raw)
    assert tags[0x010F] == "PhoneMaker" and GPS_IFD in tags  # the sample does carry them
    photo = photos.clean(raw)
    assert photo.content_type == "image/jpeg"
    assert (photo.width, photo.height) == (32, 64)  # orientation 6 applied before the tag went
    tags, info = meta(photo.data)
    assert tags == {} and "exif" not in info
    assert b"PhoneMaker" not in photo.data and b"Model X 12" not in photo.data


def test_a_png_keeps_its_pixels_and_loses_its_text() -> None:
    photo = photos.clean(png())
    assert photo.content_type == "image/png"
    assert meta(photo.data)[1] == {}
    with Image.open(io.BytesIO(photo.data)) as image:
        assert image.size == (16, 16)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty"),
        (b"GIF89a" + b"\0" * 100, "wrong_type"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "wrong_type"),
        (b"\xff\xd8\xff" + b"not really a jpeg" * 10, "unreadable"),
        (b"\xff\xd8\xff" + b"\0" * (photos.MAX_BYTES), "too_big"),
    ],
)
def test_what_is_not_a_jpeg_or_png_within_10_mb_is_refused_by_its_bytes(raw: bytes, reason: str) -> None:
    with pytest.raises(photos.PhotoRefused) as refused:
        photos.clean(raw)
    assert refused.value.reason == reason


def test_a_leader_stores_a_photo_on_their_case_with_its_event_and_reads_it_back(conn: psycopg.Connection) -> None:
    case_id = raised(conn, "G01")
    with grid_reader_transaction(conn, ["G01"]):
        photo_id = photos.store(conn, case_id, photos.clean(phone_jpeg()), source=Source.FIELD, actor="leader1", clock=CLOCK)
    with grid_reader_transaction(conn, ["G01"]):
        stored = photos.read(conn, photo_id)
        assert stored is not None and stored.case_id == case_id and meta(stored.data)[0] == {}
    events = case_store.events_of(conn, case_id)
    assert [(e.action, e.actor, dict(e.detail)) for e in events[1:]] == [("photo", "leader1", {"photo_id": photo_id})]
    with grid_reader_transaction(conn, ["G02"]):
        assert photos.read(conn, photo_id) is None  # another grid's leader: not there


def test_another_grids_case_takes_no_photo_and_nothing_is_written(conn: psycopg.Connection) -> None:
    case_id = raised(conn, "G02")
    with pytest.raises(NotFound), grid_reader_transaction(conn, ["G01"]):
        photos.store(conn, case_id, photos.clean(png()), source=Source.FIELD, actor="leader1", clock=CLOCK)
    assert conn.execute("SELECT count(*) FROM case_photos").fetchone() == (0,)
    assert len(case_store.events_of(conn, case_id)) == 1


def test_a_photo_refused_by_the_cases_rules_is_not_stored(conn: psycopg.Connection) -> None:
    case_id = case_store.open_case(conn, Opening(Kind.WORK_ORDER, category="噪音扰民"), source=Source.INTAKE,
                                   actor="12345", clock=CLOCK)  # unplaced: a unit or import may not add photos
    with pytest.raises(NotAllowed):
        photos.store(conn, case_id, photos.clean(png()), source=Source.UNIT, actor="x", clock=CLOCK)
    assert conn.execute("SELECT count(*) FROM case_photos").fetchone() == (0,)
