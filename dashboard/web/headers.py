"""What the browser may run, load and frame: security headers on every answer of the dashboard.

- Content-Security-Policy: scripts only from this server, plus the one inline
  script of each Dash page (its renderer), which carries this request's nonce;
  no plug-ins; no framing by any page (clickjacking); forms post only here;
  images from here (and data:/blob: URLs the map makes), plus the tile
  server's origin when GRIDGOV_TILE_URL names one; data fetched only from here.
  Styles allow inline ones: Dash and Leaflet write style attributes and
  <style> elements at run time, and a style cannot run code.
- X-Frame-Options DENY (for browsers older than frame-ancestors),
  X-Content-Type-Options nosniff, Referrer-Policy same-origin (a URL with
  filters never leaves for another site), Cross-Origin-Opener-Policy.

The nonce is made once per request (`nonce`) and written into the page's
<script> tags by the app's index (dashboard/app.py).
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Flask, Response, g

_FIXED = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def nonce() -> str:
    """This request's script nonce, made on first use."""
    if "gridgov_nonce" not in g:
        g.gridgov_nonce = secrets.token_urlsafe(18)
    value: str = g.gridgov_nonce
    return value


def tile_origin(tile_url: str) -> str | None:
    """The origin images may come from for a tile URL template ({s}.host becomes *.host); None without one."""
    parts = urlsplit(tile_url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"

def policy(script_nonce: str, tiles: str | None) -> str:
    """The Content-Security-Policy for one answer."""
    images = " ".join(filter(None, ["'self'", "data:", "blob:", tiles]))
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{script_nonce}'",
            "style-src 'self' 'unsafe-inline'",
            f"img-src {images}",
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def install(server: Flask, tile_url: str) -> None:
    """Put the headers on every answer `server` gives."""
    tiles = tile_origin(tile_url)

    def add(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", policy(nonce(), tiles))
        for name, value in _FIXED.items():
            response.headers.setdefault(name, value)
        return response

    server.after_request(add)
