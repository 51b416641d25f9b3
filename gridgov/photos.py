"""Case photos: checked by their bytes, re-encoded without EXIF, stored with the case, read back by who may see it.

A phone's photo carries where it was taken (EXIF GPS) and with what (camera
make, model, serial): a resident's doorway must not leave the community with
that attached. So a photo is never stored as it came: its bytes must be a JPEG
or a PNG (the name and the browser's claimed type are not trusted), at most
MAX_BYTES, and not a pixel bomb; it is turned upright by its EXIF orientation
(which is then no longer needed) and encoded again from its pixels alone, so
no EXIF, XMP, ICC or text chunk survives.

`store` writes the photo and the case's `photo` event in one transaction on
the connection it is given: a grid leader's row-level-security one, so a case
outside their grids is NotFound and nothing is written (migration 021's
policies on case_photos check it once more). `read` reads one back on the
viewer's connection: None when they may not see its case.
"""

from __future__ import annotations

import io
import secrets
import warnings
from dataclasses import dataclass

import psycopg
from PIL import Image, ImageOps, UnidentifiedImageError

from gridgov import case_store
from gridgov.cases import Event, Source
from gridgov.clock import Clock
from gridgov.errors import InputError

MAX_BYTES = 10 * 1024 * 1024  # 10 MB a photo, as it comes and as it is stored (case_photos' CHECK)
MAX_PIXELS = 50_000_000  # a larger picture is a decompression bomb, not a phone's photo
JPEG_QUALITIES = (88, 75, 60)
_MAGIC = {b"\xff\xd8\xff": "JPEG", b"\x89PNG\r\n\x1a\n": "PNG"}
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}


class PhotoRefused(InputError):
    """A photo that is not stored; `reason` names why (a catalogue key's suffix: photo_<reason>)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Photo:
    """A photo as it is stored: re-encoded, without metadata."""

    data: bytes
    content_type: str
    width: int
    height: int


def _format(raw: bytes) -> str:
    for magic, name in _MAGIC.items():
        if raw.startswith(magic):
            return name
    raise PhotoRefused("wrong_type", "a photo must be a JPEG or a PNG")


def clean(raw: bytes) -> Photo:
    """The photo `raw` upright and without metadata; PhotoRefused when it is empty, too big or no JPEG/PNG."""
    if not raw:
        raise PhotoRefused("empty", "the photo is empty")
    if len(raw) > MAX_BYTES:
        raise PhotoRefused("too_big", f"a photo is at most {MAX_BYTES // (1024 * 1024)} MB, this one {len(raw):,} bytes")
    kind = _format(raw)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw), formats=[kind]) as opened:
                if opened.width * opened.height > MAX_PIXELS:
                    raise PhotoRefused("too_big", f"a photo has at most {MAX_PIXELS:,} pixels")
                opened.load()
                upright = ImageOps.exif_transpose(opened)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        raise PhotoRefused("unreadable", f"the file starts as a {kind} but cannot be read as one") from None
    return _encoded(upright, kind)


def _encoded(image: Image.Image, kind: str) -> Photo:
    """The pixels alone, encoded again: nothing of the original's metadata is passed to the encoder."""
    image.info = {}
    if kind == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        for quality in JPEG_QUALITIES:  # a photo near 10 MB may grow at the first quality: try a lower one
            data = _saved(image, format="JPEG", quality=quality, optimize=True)
            if len(data) <= MAX_BYTES:
                break
    else:
        if image.mode not in ("RGB", "RGBA", "L", "LA", "P", "1"):
            image = image.convert("RGBA")
        data = _saved(image, format="PNG", optimize=True)
    if len(data) > MAX_BYTES:  # a PNG may grow when encoded again
        raise PhotoRefused("too_big", f"the photo is over {MAX_BYTES // (1024 * 1024)} MB once cleaned")
    return Photo(data, CONTENT_TYPES[kind], image.width, image.height)


def _saved(image: Image.Image, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, **options)  # type: ignore[arg-type]
    return out.getvalue()


def new_photo_id() -> str:
    """A photo id no one can guess: 'P' and 24 hex digits."""
    return "P" + secrets.token_hex(12)


def store(conn: psycopg.Connection, case_id: str, photo: Photo, *, source: Source, actor: str, clock: Clock) -> str:
    """Add `photo` to the case with its `photo` event, in one transaction; its id (NotFound, NotAllowed)."""
    photo_id = new_photo_id()
    with conn.transaction():
        case_store.append(conn, case_id, Event("photo", source, clock.now(), actor, {"photo_id": photo_id}))
        conn.execute(
            "INSERT INTO case_photos (photo_id, case_id, content_type, data, width, height, added_by, added_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            [photo_id, case_id, photo.content_type, photo.data, photo.width, photo.height, actor, clock.now()],
        )
    return photo_id


@dataclass(frozen=True)
class Stored:
    """A photo read back: its case, its type and its bytes."""

    case_id: str
    content_type: str
    data: bytes


def read(conn: psycopg.Connection, photo_id: str) -> Stored | None:
    """The photo, when the connection may see its case; else None (not told apart from no such photo)."""
    row = conn.execute("SELECT case_id, content_type, data FROM case_photos WHERE photo_id = %s", [photo_id]).fetchone()
    return None if row is None else Stored(row[0], row[1], bytes(row[2]))

