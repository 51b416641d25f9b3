"""The OGC API's HTTP Basic sign-in (api.auth) driven in process: one request through it, and its status.

The sign-in stands in front of an app that answers 200, so a 200 means it let the request through; a 401,
403, 429 or 503 is its own answer. Tests build the Verifier on a pool of their test database.
"""

from __future__ import annotations

import asyncio
import base64
from typing import Any

from api.auth import BasicAuthMiddleware, Verifier


async def _served(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


async def basic_call(
    verifier: Verifier, username: str, password: str, *, ip: str = "127.0.0.1", path: str = "/collections"
) -> int:
    """The status the sign-in answers a request for `path` from `ip` with these Basic credentials."""
    sent: list[dict[str, Any]] = []
    token = base64.b64encode(f"{username}:{password}".encode()).decode()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {"type": "http", "path": path, "headers": [(b"authorization", f"Basic {token}".encode())],
             "client": (ip, 40000), "query_string": b""}
    await BasicAuthMiddleware(_served, verifier)(scope, receive, send)
    return int(sent[0]["status"])


def basic_status(
    verifier: Verifier, username: str, password: str, *, ip: str = "127.0.0.1", path: str = "/collections"
) -> int:
    """`basic_call`, run to its end."""
    return asyncio.run(basic_call(verifier, username, password, ip=ip, path=path))
