"""Read a source file into header + rows of text, whatever its format and encoding."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from gridgov.errors import InputError

TABLE_SUFFIXES = {".csv", ".txt", ".xlsx", ".xlsm"}
VECTOR_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp"}


@dataclass
class Table:
    """A source file as read: headers, text cells, the row numbers a person sees, and geometries if any."""

    headers: list[str]
    rows: list[list[str | None]]
    row_numbers: list[int]
    encoding: str | None = None
    geometries: list[object] | None = None  # shapely geometries (WGS-84) for vector files
    blank_rows: int = 0
    notes: list[str] = field(default_factory=list)


def detect_encoding(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM) or GB18030, decided from the bytes, not the file name."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise InputError(f"{name}: cannot tell the text encoding (not UTF-8, not GBK/GB18030); save it as UTF-8")
    return str(best.encoding)


def _cell(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _read_csv(path: Path) -> Table:
    data = path.read_bytes()
    encoding = detect_encoding(data, path.name)
    text = data.decode(encoding)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;|")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    records = list(csv.reader(io.StringIO(text, newline=""), dialect))
    return _table(records, path, encoding=encoding)


def _read_xlsx(path: Path) -> Table:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    ws = wb.worksheets[0]
    records = [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
    wb.close()
    return _table(records, path)


def _table(records: Sequence[Sequence[object]], path: Path, *, encoding: str | None = None) -> Table:
    # The header is the first non-blank row; a person counts rows from 1 in Excel.
    start = next((i for i, r in enumerate(records) if any(_cell(c) for c in r)), None)
    if start is None:
        raise InputError(f"{path.name}: the file has no header row")
    headers = [_cell(c) or f"column_{j + 1}" for j, c in enumerate(records[start])]
    rows: list[list[str | None]] = []
    numbers: list[int] = []
    blank = 0
    for i in range(start + 1, len(records)):
        cells = [_cell(c) for c in records[i]]
        if not any(cells):
            blank += 1
            continue
        cells = (cells + [None] * len(headers))[: max(len(headers), len(cells))]
        rows.append(cells)
        numbers.append(i + 1)
    return Table(headers=headers, rows=rows, row_numbers=numbers, encoding=encoding, blank_rows=blank)


def _read_vector(path: Path) -> Table:
    import pyogrio

    try:
        gdf = pyogrio.read_dataframe(path)
    except Exception as exc:  # GDAL's errors are many; the message is what matters
        raise InputError(f"{path.name}: cannot read as a vector file: {exc}") from exc
    if gdf.crs is not None and gdf.crs.to_epsg() not in (4326, 4490):
        gdf = gdf.to_crs(4326)
    headers = [str(c) for c in gdf.columns if c != "geometry"]
    frame = gdf[headers].astype(object).where(gdf[headers].notna(), None)
    rows = [[_cell(v) for v in rec] for rec in frame.itertuples(index=False, name=None)]
    return Table(
        headers=headers,
        rows=rows,
        row_numbers=list(range(1, len(rows) + 1)),  # feature number
        geometries=list(gdf.geometry),
    )


def read(path: Path) -> Table:
    """Read a CSV, XLSX, GeoJSON, GeoPackage or Shapefile; InputError if it cannot be read at all."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix in {".csv", ".txt"}:
        return _read_csv(path)
    if suffix in {".xlsx", ".xlsm"}:
        return _read_xlsx(path)
    if suffix in VECTOR_SUFFIXES:
        return _read_vector(path)
    raise InputError(
        f"{path.name}: unsupported file type {suffix or '(none)'}; use CSV, XLSX, GeoJSON, GeoPackage or Shapefile"
    )
