"""Writing a benchmark's section into bench/RESULTS.md, between its own markers."""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import shlex
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def replace_section(path: Path, begin: str, end: str, section: str) -> None:
    """Put `section` between the markers `begin` and `end` in `path`, replacing what was there (or append it)."""
    text = path.read_text(encoding="utf-8")
    block = f"{begin}\n{section}\n{end}"
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.S)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def timed(fn: Callable[[], Any], repeat: int, *, warm: bool = True) -> tuple[float, Any]:
    """Median wall seconds of `repeat` calls (after one warm-up call when `warm`), and the last result."""
    result = fn() if warm else None
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), result


def preamble(title: str, script: str) -> list[str]:
    """A section's heading, then when, on what and by which command (this run's own arguments) it was measured."""
    command = f".venv/bin/python bench/{script} " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    return [
        f"## {title}",
        "",
        f"- date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {os.cpu_count()} CPUs, Python {platform.python_version()}",
        f"- command: `{command.strip()}`",
    ]
