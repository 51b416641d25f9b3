"""Column-at-a-time versions of the cell parsers in etl.values, for chunks of a million-row file.

Each takes a pandas Series of text (missing = NA) and returns the parsed values
and a Series of error messages (NA where the cell is fine). The common forms
go through vectorised fast paths; anything else falls back to the scalar parser
in etl.values, applied once per distinct value, so both paths mean the same.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from etl import values

Parsed = tuple[pd.Series, pd.Series]


def text(s: pd.Series) -> pd.Series:
    """Half-width, trimmed text; empty cells become missing (vectorised values.clean)."""
    out = s.astype("str").str.normalize("NFKC").str.strip()
    return out.mask(out == "")


def errors_like(s: pd.Series) -> pd.Series:
    return pd.Series([None] * len(s), index=s.index, dtype="object")


def by_unique(s: pd.Series, fn: Callable[[str], Any]) -> Parsed:
    """Apply a scalar parser to each distinct value once: (values, errors)."""
    vals: dict[str, Any] = {}
    errs: dict[str, str] = {}
    for u in pd.unique(s.dropna()):
        try:
            vals[u] = fn(u)
        except ValueError as exc:
            errs[u] = str(exc)
    present = s.notna()
    v = pd.Series([None] * len(s), index=s.index, dtype="object")
    e = errors_like(s)
    if present.any():
        v[present] = s[present].map(lambda x: vals.get(x))
        e[present] = s[present].map(lambda x: errs.get(x))
    return v, e


_STD_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?$")


def datetimes(s: pd.Series) -> Parsed:
    """Local date-times (naive, Asia/Shanghai) as datetime64; the standard form is parsed in C."""
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[s]")
    err = errors_like(s)
    present = s.notna()
    if not present.any():
        return out, err
    std = present & s.where(present, "").str.match(_STD_DATETIME)
    if std.any():
        out[std] = pd.to_datetime(s[std], format="ISO8601", errors="coerce").astype("datetime64[s]")
    rest = present & (~std | out.isna())
    if rest.any():
        vals, errs = by_unique(s[rest], values.parse_datetime)
        out[rest] = pd.to_datetime(vals.map(lambda d: d.replace(tzinfo=None) if d else None)).astype("datetime64[s]")
        err[rest] = errs
    return out, err


def dates(s: pd.Series) -> Parsed:
    """Calendar dates (datetime64 at midnight)."""
    out, err = datetimes(s)
    return out.dt.floor("D"), err


def positive_ints(s: pd.Series) -> Parsed:
    """Whole numbers ≥ 1 (Excel's 3.0 is 3)."""
    num = pd.to_numeric(s, errors="coerce")
    num = num.where(np.isfinite(num))  # 'inf' and '1e400' are not numbers of people
    err = errors_like(s)
    present = s.notna()
    bad_num = present & num.isna()
    err[bad_num] = "is not a number: " + s[bad_num].astype(str)
    bad_val = present & num.notna() & ((num < 1) | (num != np.floor(num)))
    err[bad_val] = "must be a whole number of at least 1: " + s[bad_val].astype(str)
    return num.where(~(bad_num | bad_val)).astype("Int64"), err


def floats(s: pd.Series) -> Parsed:
    num = pd.to_numeric(s, errors="coerce")
    err = errors_like(s)
    bad = s.notna() & num.isna()
    err[bad] = "is not a number: " + s[bad].astype(str)
    return num.astype("float64"), err


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = np.array(list("10X98765432"))


def id_numbers(s: pd.Series) -> Parsed:
    """18-character resident IDs with a valid GB 11643 check character."""
    t = s.str.upper()
    err = errors_like(s)
    present = s.notna()
    shaped = present & t.where(present, "").str.fullmatch(r"\d{17}[\dX]")
    err[present & ~shaped] = "must be 18 characters: 17 digits and a digit or X"
    if shaped.any():
        ok = t[shaped]
        total = np.zeros(len(ok), dtype=np.int64)
        for i, w in enumerate(_ID_WEIGHTS):
            total += ok.str[i].astype(np.int64).to_numpy() * w
        good = _ID_CHECK[total % 11] == ok.str[17].to_numpy(dtype=str)
        bad_idx = ok.index[~good]
        err[bad_idx] = "checksum fails (GB 11643): check for a mistyped digit"
    return t.where(present & err.isna(), None), err


_PHONE = re.compile(r"1[3-9]\d{9}|0\d{2,3}\d{7,8}|\d{7,8}")


def phones(s: pd.Series) -> Parsed:
    digits = s.str.replace(r"[\s\-()（）]", "", regex=True).str.removeprefix("+86").str.removesuffix(".0")
    present = s.notna()
    ok = present & digits.where(present, "").str.fullmatch(_PHONE)
    err = errors_like(s)
    bad = present & ~ok
    err[bad] = "is not a mobile or landline number: " + s[bad].astype(str)
    return digits.where(ok, None), err


def with_name(name: str, err: pd.Series) -> pd.Series:
    """Put the column's name in front of each message ("members must be …")."""
    return err.where(err.isna(), name + " " + err.astype("object").fillna(""))
