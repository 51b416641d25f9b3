"""Writing a benchmark's section into bench/RESULTS.md, between its own markers."""

from __future__ import annotations

import re
from pathlib import Path


def replace_section(path: Path, begin: str, end: str, section: str) -> None:
    """Put `section` between the markers `begin` and `end` in `path`, replacing what was there (or append it)."""
    text = path.read_text(encoding="utf-8")
    block = f"{begin}\n{section}\n{end}"
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.S)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")
