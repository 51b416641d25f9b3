"""Which files of a folder to load, in which order, and which to report as not loadable."""

from __future__ import annotations

from pathlib import Path

from etl.datasets import DATASETS, ORDER, Dataset, dataset_for_file
from etl.readers import TABLE_SUFFIXES, VECTOR_SUFFIXES
from gridgov.errors import InputError

_SIDECARS = {".dbf", ".shx", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".xml"}
_DOCS = {".md", ".txt"}


def plan(path: Path, dataset: str | None = None) -> tuple[list[tuple[Path, Dataset]], list[tuple[str, str]]]:
    """(files to load with their dataset, in contract order; files reported as not loaded, with why)."""
    if path.is_file():
        ds = DATASETS.get(dataset) if dataset else dataset_for_file(path.name)
        if dataset and ds is None:
            raise InputError(f"unknown dataset {dataset}; expected one of {', '.join(ORDER)}")
        if ds is None:
            raise InputError(
                f"{path.name}: the name starts with no dataset name ({', '.join(ORDER)}); "
                "name the dataset with --dataset"
            )
        return [(path, ds)], []
    if not path.is_dir():
        raise InputError(f"{path}: no such file or folder")
    if dataset:
        raise InputError("--dataset names the dataset of one file; give a file, not a folder")
    todo: list[tuple[Path, Dataset]] = []
    skipped: list[tuple[str, str]] = []
    for f in sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")):
        suffix = f.suffix.lower()
        ds = dataset_for_file(f.name)
        if suffix in _SIDECARS and f.with_suffix(".shp").exists():
            continue  # part of a Shapefile
        if ds is None:
            if suffix in _DOCS and f.stem.upper() in {"README", "LICENSE", "NOTES"}:
                skipped.append((f.name, "documentation"))
            else:
                skipped.append((f.name, f"the name starts with no dataset name ({', '.join(ORDER)})"))
            continue
        if suffix not in TABLE_SUFFIXES | VECTOR_SUFFIXES:
            skipped.append((f.name, f"unsupported file type {suffix or '(none)'}"))
            continue
        todo.append((f, ds))
    todo.sort(key=lambda fd: (ORDER.index(fd[1].name), fd[0].name))
    return todo, skipped
