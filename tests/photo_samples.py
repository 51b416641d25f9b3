"""Photos as a phone takes them, made with Pillow: a JPEG with GPS and camera EXIF, turned by its orientation tag."""

from __future__ import annotations

import io

from PIL import Image, PngImagePlugin

GPS_IFD = 0x8825
MAKE, MODEL, ORIENTATION = 0x010F, 0x0110, 0x0112


def phone_jpeg(width: int = 64, height: int = 32) -> bytes:
    """A JPEG stored sideways (orientation 6: show it turned 90° clockwise) with where and with what it was taken."""
    image = Image.new("RGB", (width, height), (200, 40, 40))
    exif = Image.Exif()
    exif[MAKE], exif[MODEL], exif[ORIENTATION] = "PhoneMaker", "Model X 12", 6
    exif[GPS_IFD] = {1: "N", 2: (39.0, 55.0, 12.5), 3: "E", 4: (116.0, 30.0, 1.25)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def png(width: int = 16, height: int = 16) -> bytes:
    """A small PNG with a text chunk."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "taken at home")
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (0, 0, 255, 128)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def metadata(data: bytes) -> tuple[dict[int, object], dict[str, object]]:
    """The EXIF tags and the other info Pillow finds in an encoded image."""
    with Image.open(io.BytesIO(data)) as image:
        return dict(image.getexif()), {k: v for k, v in image.info.items() if k not in ("jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi")}
