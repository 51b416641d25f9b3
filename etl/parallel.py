"""Parse the chunks of a big file in worker processes, in order, while the main process feeds the database.

A load keeps both cores busy: PostgreSQL works on one chunk while Python parses
the next. For a big file the parsing is still the longer of the two, so it is
spread over worker processes; a small file is parsed in the main process, where
starting workers would cost more than it saves.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor

import pandas as pd

from etl import _lifeline
from etl.datasets import Dataset
from etl.gazetteer import Gazetteer
from etl.parse import Columns, parse_chunk
from etl.readers import Chunk, Table

# Below this many rows a file is parsed in the main process.
PARALLEL_FROM_ROWS = 200_000


def worker_count(table: Table, setting: int | None = None) -> int:
    """How many worker processes parse this file (0: the main process does); `setting` overrides the choice."""
    if setting is not None:
        return max(0, setting)
    if table.total_rows is None or table.total_rows < PARALLEL_FROM_ROWS:
        return 0
    return min(2, os.cpu_count() or 1)


def parsed_chunks(
    table: Table, dataset: Dataset, cols: Columns, *, workers: int, gazetteer: Gazetteer | None = None
) -> Iterator[tuple[Chunk, pd.DataFrame]]:
    """Each chunk of the file with its parsed rows, in file order; with a gazetteer, its exact
    matches made too (etl.gazetteer: a row's match depends on that row alone)."""
    if workers <= 0:
        for chunk in table.chunks():
            yield chunk, _parse(dataset, cols, chunk, gazetteer)
        return
    # forkserver, not fork: a forked child would share the parent's open database connection.
    # Each worker gets the gazetteer once, when it starts.
    context = multiprocessing.get_context("forkserver")
    # The fork server imports the parsing code once (each worker it forks starts with it loaded), and it and
    # the workers end with this process even when it is killed (etl._lifeline)
    context.set_forkserver_preload(["etl._forkserver"])
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_set_gazetteer,
                             initargs=(gazetteer,)) as pool:
        pending: deque[tuple[Chunk, Future[pd.DataFrame]]] = deque()
        for chunk in table.chunks():
            pending.append((chunk, pool.submit(_parse_in_worker, dataset, cols, chunk)))
            if len(pending) > workers:  # every worker busy, and memory bounded
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()


def _parse(dataset: Dataset, cols: Columns, chunk: Chunk, gazetteer: Gazetteer | None) -> pd.DataFrame:
    out = parse_chunk(dataset, cols, chunk)
    if gazetteer is not None:
        gazetteer.match(out)  # exact compound + building: point and grid of the building
    return out


_worker_gazetteer: Gazetteer | None = None


def _set_gazetteer(gazetteer: Gazetteer | None) -> None:
    global _worker_gazetteer
    _lifeline.hold()  # this worker ends with the fork server
    _worker_gazetteer = gazetteer


def _parse_in_worker(dataset: Dataset, cols: Columns, chunk: Chunk) -> pd.DataFrame:
    return _parse(dataset, cols, chunk, _worker_gazetteer)
