"""Raising a case with its photos at once: the case and every photo are stored together, or nothing is.

A grid leader raising a case in the field (未诉先办) attaches the photos they
took before pressing 上报. Stored one after the other, a photo refused halfway
(a case that takes no photo, a lost connection) would leave a case without the
photos the leader sent, or the first photos without the rest; so the opening
and the photos are written in one transaction, through the case store's and
the photo store's own public functions (each photo is then the same `photo`
event a photo added later is). The photos must already be cleaned
(gridgov.photos.clean): a photo that is no JPEG/PNG is refused before anything
is written.
"""

from __future__ import annotations

from collections.abc import Sequence

import psycopg

from gridgov import case_store, photos
from gridgov.case_store import Opening
from gridgov.cases import Source
from gridgov.clock import Clock


def open_with_photos(
    conn: psycopg.Connection, opening: Opening, cleaned: Sequence[photos.Photo], *, source: Source, actor: str,
    clock: Clock,
) -> tuple[str, list[str]]:
    """Open the case and add `cleaned` to it in one transaction: (the case's id, the photos' ids, in order)."""
    with conn.transaction():
        case_id = case_store.open_case(conn, opening, source=source, actor=actor, clock=clock)
        photo_ids = [photos.store(conn, case_id, photo, source=source, actor=actor, clock=clock) for photo in cleaned]
    return case_id, photo_ids
