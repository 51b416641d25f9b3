"""How long the server spent on each request, in a Server-Timing header.

The dashboard benchmark (bench/dashboard_bench.py) reads it to separate the
server's part of a callback from the network and the load generator, and a
browser's developer tools show it for every request.
"""

from __future__ import annotations

import time

from flask import Flask, Response, g


def install(server: Flask) -> None:
    """Time every request from the moment Flask takes it to the moment its response is ready."""

    @server.before_request
    def _start() -> None:
        g.gridgov_started = time.perf_counter()

    @server.after_request
    def _stamp(response: Response) -> Response:
        started = g.get("gridgov_started")
        if started is not None:
            response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        return response
