"""Whether a grid file's streets and communities name one place each: accounts are scoped by them.

A secretary sees a community and a street officer a street (gridgov.access), so a grid file whose
names contradict themselves would scope people wrongly, silently: a street code written with two
names splits a street in two, a community listed under two streets shows it to the wrong officer.
Such a file is refused whole, every contradiction listed with its features, like a grid code used
twice (etl.gridcheck); the clerk corrects the names and loads it again. A file without streets loads,
and the load says once that street officers cannot be scoped to its grids.

The rules span the whole file, so the grids' names are gathered chunk by chunk and judged at the end.
"""

from __future__ import annotations

import pandas as pd

from etl.gridproblems import REFUSED, GridProblem, GridsRefused

ERROR_NAMES = "error_names"  # a code with two names, a community under two streets
_COLUMNS = ("source_row", "grid_code", "community_name", "community_code", "street_name", "street_code")
_LISTED = 3  # grid codes named per name in a message
_FEATURES = 12  # feature numbers listed per name


class GridNames:
    """The street and community of every good grid of one file, judged once the file is read."""

    def __init__(self, source_file: str) -> None:
        self.source_file = source_file
        self.parts: list[pd.DataFrame] = []

    def add(self, out: pd.DataFrame) -> None:
        """Keep the names of a parsed chunk's good rows (the others are quarantined with their own reason)."""
        good = out[out["reason"].isna()]
        self.parts.append(good[[c for c in _COLUMNS if c in good]].copy())

    def finish(self) -> list[str]:
        """Notes for the load's report; raises GridsRefused when the names contradict themselves."""
        found = pd.concat(self.parts, ignore_index=True) if self.parts else pd.DataFrame(columns=list(_COLUMNS))
        for c in _COLUMNS:
            if c not in found:
                found[c] = None
        problems = [
            *_two_names(found, "street_code", "street_name", "street code"),
            *_two_names(found, "community_code", "community_name", "community code"),
            *_two_names(found, "community_code", "street_name", "community code", under=True),
            *_community_under_two_streets(found),
        ]
        for p in problems:
            p.source_file = self.source_file
        if problems:
            listing = "\n  ".join(p.message for p in problems)
            raise GridsRefused(
                f"{self.source_file}: the streets and communities of the grids contradict themselves; nothing was "
                f"loaded (accounts are scoped by these names):\n  {listing}", problems)
        return _missing_streets(found, self.source_file)


def _features(rows: pd.DataFrame) -> str:
    numbers = sorted(int(n) for n in rows["source_row"])
    codes = sorted(str(c) for c in rows["grid_code"].dropna().unique())
    listed = ", ".join(map(str, numbers[:_FEATURES])) + (f" … ({len(numbers)} in all)" if len(numbers) > _FEATURES else "")
    shown = ", ".join(codes[:_LISTED]) + (f" and {len(codes) - _LISTED} more" if len(codes) > _LISTED else "")
    return f"feature{'s' if len(numbers) > 1 else ''} {listed} (grid{'s' if len(codes) > 1 else ''} {shown})"


def _two_names(found: pd.DataFrame, code: str, name: str, what: str, *, under: bool = False) -> list[GridProblem]:
    """A code whose rows give it more than one name (or, `under`, more than one street)."""
    named = found[found[code].notna() & found[name].notna()]
    problems: list[GridProblem] = []
    for value, rows in named.groupby(code, sort=True):
        names = sorted(rows[name].unique())
        if len(names) < 2:
            continue
        parts = "; ".join(f"{n} in {_features(rows[rows[name] == n])}" for n in names)
        if under:
            message = (f"{what} {value} lies in {len(names)} streets: {parts}: a community belongs to one street; "
                       "correct the 街道 (or the 社区代码) in the source")
        else:
            message = (f"{what} {value} has {len(names)} names: {parts}: one code, one name; correct the names "
                       "(or the codes) in the source")
        problems.append(_problem(message, rows))
    return problems


def _community_under_two_streets(found: pd.DataFrame) -> list[GridProblem]:
    """A community name in two streets with no community code to tell the two apart."""
    named = found[found["community_name"].notna() & found["street_name"].notna()]
    problems: list[GridProblem] = []
    for community, rows in named.groupby("community_name", sort=True):
        streets = sorted(rows["street_name"].unique())
        if len(streets) < 2:
            continue
        if rows["community_code"].notna().all():
            continue  # two communities of one name, each with its code (one code in two streets: _two_names)
        parts = "; ".join(f"{s} in {_features(rows[rows['street_name'] == s])}" for s in streets)
        problems.append(_problem(
            f"community {community} lies in {len(streets)} streets: {parts}: correct the 街道 in the source, or, "
            "if these are two communities of one name, give each its 社区代码", rows))
    return problems


def _problem(message: str, rows: pd.DataFrame) -> GridProblem:
    codes = tuple(sorted(str(c) for c in rows["grid_code"].dropna().unique()))
    communities = rows["community_name"].dropna()
    return GridProblem(ERROR_NAMES, message, REFUSED, codes, None, None, None,
                       str(communities.iloc[0]) if len(communities) else None)


def _missing_streets(found: pd.DataFrame, source_file: str) -> list[str]:
    """Said once per file: grids without a street cannot be in a street officer's scope."""
    if found.empty:
        return []
    blank = found[found["street_name"].isna()]
    if blank.empty:
        return []
    if len(blank) == len(found):
        return [f"{source_file}: the grids have no street (no 街道 column), so street officers cannot be scoped "
                "to them; add a 街道 column (街道名称, 乡镇街道) to the boundary file and load it again"]
    return [f"{source_file}: {len(blank)} of {len(found)} grids have no street (街道 is empty in "
            f"{_features(blank)}), so street officers cannot be scoped to them; fill in their 街道 and load "
            "the file again"]
