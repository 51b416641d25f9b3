"""Rules that span the whole file, applied chunk by chunk: duplicate ids and times in the future."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from etl.datasets import Dataset
from gridgov.clock import Clock


class FileChecks:
    """Remembers the ids seen so far in a file, so a repeated id is quarantined, not an overwrite."""

    def __init__(self, dataset: Dataset, clock: Clock) -> None:
        self.dataset = dataset
        self.first_row: dict[str, int] = {}
        # a day of slack: a clerk's clock, or an export made just after midnight elsewhere
        # (times are the community's wall-clock, as the file writes them)
        self.latest = (clock.now() + timedelta(days=1)).replace(tzinfo=None)

    def apply(self, out: pd.DataFrame) -> None:
        """Set the reason of good rows that repeat an earlier id or lie in the future."""
        self._future(out)
        self._duplicates(out)

    def _future(self, out: pd.DataFrame) -> None:
        for col in self.dataset.not_future:
            late = out["reason"].isna() & (out[col] > pd.Timestamp(self.latest))
            if late.any():
                out.loc[late, "reason"] = f"{col} is in the future: " + out.loc[late, col].dt.strftime("%Y-%m-%d %H:%M")

    def _duplicates(self, out: pd.DataFrame) -> None:
        key = self.dataset.key
        good = out["reason"].isna() & out[key].notna()
        ids = out.loc[good, key].astype(str)
        rows = out.loc[good, "source_row"].to_numpy()
        # the first row of each id, in file order (dict.setdefault, row by row, run by map in C)
        first = np.fromiter(map(self.first_row.setdefault, ids.tolist(), rows.tolist()), dtype=np.int64, count=len(rows))
        again = first != rows
        if again.any():
            reasons = {
                idx: f"duplicate {key}: {k} (first at row {f})"
                for idx, k, f in zip(ids.index[again], ids.to_numpy()[again], first[again], strict=True)
            }
            out.loc[list(reasons), "reason"] = pd.Series(reasons)
