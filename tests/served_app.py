"""`gridgov serve` started for real on a free port, and the headless Chromium, for tests that drive it with a browser."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

# libfaketime (`faketime`, 0.9.10 on Debian 12) moves the monotonic clock too but not the waits on it
# (sem_clockwait): under it a thread's timed wait never ends, so a connection pool waiting out its
# reconnect back-off never reconnects. scripts/check-moved-clock.sh moves the wall clock only (datefudge).
UNDER_LIBFAKETIME = "libfaketime" in os.environ.get("LD_PRELOAD", "")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def chromium() -> Iterator[Browser]:
    """The system's Chromium, headless with the suite's flags, for one test's pages; closed after."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_until_serving(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"gridgov serve exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    pytest.fail(f"gridgov serve did not answer on {url} within {timeout}s:\n{log.read_text(errors='replace')}")


def stop(proc: subprocess.Popen[bytes], timeout: float = 20) -> None:
    """End a server the test started: asked to stop, then killed if it has not within `timeout` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextmanager
def serving(env: dict[str, str], log: Path) -> Iterator[str]:
    """Run `gridgov serve` with `env` added to the environment; yield its base URL (ending in /); stop it after."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    gridgov = Path(sys.executable).with_name("gridgov")
    log.parent.mkdir(exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(gridgov), "serve", "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **env},
        )
    try:
        _wait_until_serving(url + "login", proc, log)
        yield url
    finally:
        stop(proc)
