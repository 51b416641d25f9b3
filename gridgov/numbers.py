"""A number as a person or a system sends it: text that must be a finite number.

Python's float() reads 'nan', 'inf' and '1e999' as numbers; handed on to SQL
or to a coordinate conversion they become a database error or a point that is
nowhere. Every parser of such a number (Open311's lat/long, the OGC API's
bbox and simplify, a phone's tapped point) reads it here and words its own
refusal.
"""

from __future__ import annotations

import math


def finite(raw: str) -> float | None:
    """`raw` as a finite number; None when it is no number, or NaN or infinite."""
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if math.isfinite(value) else None
