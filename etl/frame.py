"""Column-at-a-time versions of the cell parsers in etl.values, for chunks of a million-row file.

Each takes a pandas Series of text (missing = NA) and returns the parsed values
and a Series of error messages (NA where the cell is fine). The common forms
go through vectorised fast paths; anything else falls back to the scalar parser
in etl.values, applied once per distinct value, so both paths mean the same.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from etl import values

Parsed = tuple[pd.Series, pd.Series]


def text(s: pd.Series) -> pd.Series:
    """Half-width, trimmed text; empty cells become missing (vectorised values.clean)."""
    out = nfkc(s.astype("str")).str.strip()
    return out.mask(out == "")


def nfkc(s: pd.Series) -> pd.Series:
    """s.str.normalize("NFKC") for a column of text (str dtype), normalising only the cells NFKC may change.

    Text made only of printable ASCII and CJK Unified Ideographs (U+4E00–U+9FFF) is NFKC
    already: none of these characters has a decomposition or a combining class, and none
    composes with another. A regular expression (in C++) finds the cells holding anything
    else, full-width digits or punctuation say; only those are normalised one by one. A column
    of ASCII alone (ids, dates, numbers) is told in one pass.
    """
    if pc.all(pc.string_is_ascii(pa.array(s.array))).as_py() is not False:
        return s.copy()  # ASCII only (ids, dates, numbers), or nothing at all
    maybe = s.str.contains(_NOT_PLAIN, regex=True, na=False).to_numpy(dtype=bool)
    out = s.copy()
    if maybe.any():
        out[maybe] = np.array([unicodedata.normalize("NFKC", v) for v in s[maybe].tolist()], dtype=object)
    return out


# Any character but printable ASCII and CJK Unified Ideographs (the pattern holds the characters
# themselves, not \u escapes, so pandas gives it to Arrow's RE2).
_NOT_PLAIN = "[^ -~\u4e00-\u9fff]"


def errors_like(s: pd.Series) -> pd.Series:
    return pd.Series([None] * len(s), index=s.index, dtype="object")


def by_unique(s: pd.Series, fn: Callable[[str], Any]) -> Parsed:
    """Apply a scalar parser to each distinct value once: (values, errors)."""
    vals: dict[str, Any] = {}
    errs: dict[str, str] = {}
    present = s.notna()
    v = pd.Series([None] * len(s), index=s.index, dtype="object")
    e = errors_like(s)
    if present.any():
        codes, uniques = pd.factorize(s[present])
        for u in uniques:
            try:
                vals[u] = fn(u)
            except ValueError as exc:
                errs[u] = str(exc)
        # map the distinct values, then spread them over the rows: as mapping every row, only once per value
        distinct = pd.Series(uniques, dtype=s.dtype)
        index = s.index[present]
        v[present] = distinct.map(lambda x: vals.get(x)).take(codes).set_axis(index)
        e[present] = distinct.map(lambda x: errs.get(x)).take(codes).set_axis(index)
    return v, e


_STD_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?$")


def datetimes(s: pd.Series, zone: ZoneInfo) -> Parsed:
    """Community wall-clock date-times (naive, in `zone`) as datetime64; the standard form is parsed in C."""
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
        vals, errs = by_unique(s[rest], partial(values.parse_datetime, zone=zone))
        out[rest] = pd.to_datetime(vals.map(lambda d: d.replace(tzinfo=None) if d else None)).astype("datetime64[s]")
        err[rest] = errs
    return out, err


def dates(s: pd.Series, zone: ZoneInfo) -> Parsed:
    """Calendar dates (datetime64 at midnight)."""
    out, err = datetimes(s, zone)
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
        good = _id_checks_ascii(ok.tolist())
        if good is None:  # digits beyond ASCII (\d is any Unicode digit): character by character
            total = np.zeros(len(ok), dtype=np.int64)
            for i, w in enumerate(_ID_WEIGHTS):
                total += ok.str[i].astype(np.int64).to_numpy() * w
            good = _ID_CHECK[total % 11] == ok.str[17].to_numpy(dtype=str)
        bad_idx = ok.index[~good]
        err[bad_idx] = "checksum fails (GB 11643): check for a mistyped digit"
    return t.where(present & err.isna(), None), err


def _id_checks_ascii(ids: list[str]) -> np.ndarray | None:
    """Whether each ID's check character is right, all IDs at once as an 18-column byte matrix;
    None when some ID is not plain ASCII."""
    joined = "".join(ids)
    if not joined.isascii() or len(joined) != 18 * len(ids):
        return None
    chars = np.frombuffer(joined.encode("ascii"), dtype=np.uint8).reshape(len(ids), 18)
    total = (chars[:, :17].astype(np.int64) - ord("0")) @ np.array(_ID_WEIGHTS, dtype=np.int64)
    return np.asarray(_ID_CHECK_BYTES[total % 11] == chars[:, 17])


_ID_CHECK_BYTES = np.frombuffer(b"10X98765432", dtype=np.uint8)
_PHONE = re.compile(r"1[3-9]\d{9}|0\d{2,3}\d{7,8}|\d{7,8}")


def phones(s: pd.Series) -> Parsed:
    digits = _drop_phone_separators(s).str.removeprefix("+86").str.removesuffix(".0")
    present = s.notna()
    ok = present & digits.where(present, "").str.fullmatch(_PHONE)
    err = errors_like(s)
    bad = present & ~ok
    err[bad] = "is not a mobile or landline number: " + s[bad].astype(str)
    return digits.where(ok, None), err


_PHONE_SEPARATORS = re.compile(r"[\s\-()（）]")


def _drop_phone_separators(s: pd.Series) -> pd.Series:
    """s.str.replace(_PHONE_SEPARATORS, ""), the regular expression run only on cells holding
    anything but ASCII letters, digits, + and . (a cell of those alone has no separator)."""
    s = s.astype("str")
    maybe = s.str.contains("[^0-9A-Za-z+.]", regex=True, na=False).to_numpy(dtype=bool)
    out = s.copy()
    if maybe.any():
        out[maybe] = np.array([_PHONE_SEPARATORS.sub("", v) for v in s[maybe].tolist()], dtype=object)
    return out


def with_name(name: str, err: pd.Series) -> pd.Series:
    """Put the column's name in front of each message ("members must be …")."""
    return err.where(err.isna(), name + " " + err.astype("object").fillna(""))
