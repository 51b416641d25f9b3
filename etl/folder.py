"""Which files of a folder to load, in which order, with which column mapping; and which to report."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from etl.datasets import DATASETS, ORDER, Dataset, dataset_for_file
from etl.readers import TABLE_SUFFIXES, VECTOR_SUFFIXES
from gridgov.errors import InputError

_SIDECARS = {".dbf", ".shx", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".xml"}
_DOCS = {"README", "LICENSE", "NOTES"}
MAPPING_SUFFIX = ".columns.json"


@dataclass(frozen=True)
class Source:
    """One file to load: its dataset and the source's own header mapping, if it brings one."""

    path: Path
    dataset: Dataset
    mapping: dict[str, str] | None = None


def read_mapping(path: Path, dataset: Dataset) -> dict[str, str] | None:
    """The mapping file beside a source (`households.csv.columns.json`): {"its header": "canonical field"}."""
    sidecar = path.with_name(path.name + MAPPING_SUFFIX)
    if not sidecar.exists():
        return None
    try:
        mapping = json.loads(sidecar.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{sidecar.name}: not a valid JSON mapping: {exc}") from None
    if not isinstance(mapping, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
        raise InputError(f'{sidecar.name}: must be a JSON object of "header": "field" pairs')
    try:
        dataset.lookup(mapping)
    except ValueError as exc:
        raise InputError(f"{sidecar.name}: {exc}") from None
    return mapping


def plan(path: Path, dataset: str | None = None) -> tuple[list[Source], list[tuple[str, str]]]:
    """(files to load in contract order; files reported as not loaded, with why)."""
    if path.is_file():
        ds = DATASETS.get(dataset) if dataset else dataset_for_file(path.name)
        if dataset and ds is None:
            raise InputError(f"unknown dataset {dataset}; expected one of {', '.join(ORDER)}")
        if ds is None:
            raise InputError(
                f"{path.name}: the name starts with no dataset name ({', '.join(ORDER)}); name it with --dataset"
            )
        return [Source(path, ds, read_mapping(path, ds))], []
    if not path.is_dir():
        raise InputError(f"{path}: no such file or folder")
    if dataset:
        raise InputError("--dataset names the dataset of one file; give a file, not a folder")
    todo: list[Source] = []
    skipped: list[tuple[str, str]] = []
    for f in sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")):
        suffix = f.suffix.lower()
        if f.name.endswith(MAPPING_SUFFIX) or (suffix in _SIDECARS and f.with_suffix(".shp").exists()):
            continue  # read with the file it belongs to
        ds = dataset_for_file(f.name)
        if ds is None:
            why = "documentation" if f.stem.upper() in _DOCS else f"the name starts with no dataset name ({', '.join(ORDER)})"
            skipped.append((f.name, why))
        elif suffix not in TABLE_SUFFIXES | VECTOR_SUFFIXES:
            skipped.append((f.name, f"unsupported file type {suffix or '(none)'}"))
        else:
            todo.append(Source(f, ds, read_mapping(f, ds)))
    todo.sort(key=lambda s: (ORDER.index(s.dataset.name), s.path.name))
    return todo, skipped
