"""Read a source file as header + chunks of text rows, whatever its format and encoding.

Tables stream in chunks so a million-row register never sits in memory at once.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from gridgov.errors import InputError

TABLE_SUFFIXES = {".csv", ".txt", ".xlsx", ".xlsm"}
VECTOR_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp"}
CHUNK_ROWS = 50_000
# How far down a title block may push the header row.
_HEADER_SEARCH_ROWS = 30


@dataclass
class Chunk:
    """Consecutive data rows (text, missing cells NaN; column i is header i) with the row numbers a
    person sees in Excel, and the geometries of a vector file's features."""

    frame: pd.DataFrame
    row_numbers: np.ndarray
    geometries: Any = None  # a GeoSeries for vector files

    def __len__(self) -> int:
        return len(self.frame)


@dataclass
class Table:
    """An opened source: its header, an estimate of its rows, and its data rows in chunks."""

    headers: list[str]
    chunks: Callable[[], Iterator[Chunk]]
    total_rows: int | None = None
    encoding: str | None = None
    is_vector: bool = False
    notes: list[str] = field(default_factory=list)
    blank_rows: int = 0


def cell_text(value: object) -> str | None:
    """One cell as trimmed text; Excel numbers that are whole print without '.0'."""
    if value is None:
        return None
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    text = str(value).strip()
    return text or None


# -- encodings ------------------------------------------------------------------
def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with path.open("rb") as f:
            while block := f.read(1 << 20):
                decoder.decode(block)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) or GB18030 (a superset of GBK), decided from the bytes, not the name."""
    with path.open("rb") as f:
        head = f.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _decodes(path, "utf-8"):
        return "utf-8"
    if _decodes(path, "gb18030"):
        return "gb18030"
    raise InputError(
        f"{path.name}: cannot tell the text encoding: it is neither UTF-8 nor GBK/GB18030. "
        "Save it from Excel as 'CSV UTF-8' and load it again"
    )


# -- header detection -------------------------------------------------------------
def _find_header(records: Sequence[Sequence[object]], known: Callable[[str], bool] | None) -> int:
    """The header row: the row among the first few with the most known column names (title rows sit above it)."""
    best, best_score = None, 0
    for i, rec in enumerate(records[:_HEADER_SEARCH_ROWS]):
        cells = [cell_text(c) for c in rec]
        filled = [c for c in cells if c]
        if not filled:
            continue
        if best is None:
            best = i
        if known is not None:
            score = sum(1 for c in filled if known(c))
            if score > best_score:
                best, best_score = i, score
    if best is None:
        raise InputError("the file has no header row")
    return best


def _headers(cells: Sequence[object]) -> list[str]:
    out: list[str] = []
    for j, c in enumerate(cells):
        text = cell_text(c)
        out.append(text.replace("\n", "") if text else f"column_{j + 1}")
    while out and out[-1].startswith("column_") and len(out) > 1:
        out.pop()  # trailing empty header cells of a ragged export
    return out


def _frame(
    batch: list[Sequence[object]], first_number: int, width: int, table: Table, *, text_only: bool
) -> Chunk | None:
    """A batch of records as text columns; blank rows are counted and dropped, row numbers kept."""
    longest = max(width, *(len(r) for r in batch))
    if any(len(r) != longest for r in batch):  # short rows miss trailing cells; long rows keep theirs
        batch = [list(r) + [None] * (longest - len(r)) for r in batch]
    df = pd.DataFrame(batch, dtype="object")
    return _chunk(df.apply(_text_column, text_only=text_only), first_number, table)


def _chunk(df: pd.DataFrame, first_number: int, table: Table) -> Chunk | None:
    """Drop (and count) the blank rows of a batch of text columns; the others keep their row numbers."""
    blank = df.isna().all(axis=1).to_numpy()
    table.blank_rows += int(blank.sum())
    numbers = np.arange(first_number, first_number + len(df))[~blank]
    df = df[~blank].reset_index(drop=True)
    return Chunk(df, numbers) if len(df) else None


def _text_column(col: pd.Series, *, text_only: bool = False) -> pd.Series:
    """Trimmed text, missing where empty; `text_only` says the cells are str or None already (CSV)."""
    if text_only or col.map(type).isin((str, type(None))).all():
        out = col.astype("str").str.strip()
    else:  # Excel cells: numbers and dates print as a clerk sees them
        out = col.map(cell_text, na_action="ignore").astype("str")
    return out.mask(out == "")


def _rows_chunks(
    records: Iterator[Sequence[object]], first_number: int, width: int, table: Table, size: int, *, text_only: bool
) -> Iterator[Chunk]:
    batch: list[Sequence[object]] = []
    start = first_number
    for rec in records:
        batch.append(rec)
        if len(batch) >= size:
            chunk = _frame(batch, start, width, table, text_only=text_only)
            start += len(batch)
            batch = []
            if chunk is not None:
                yield chunk
    if batch:
        chunk = _frame(batch, start, width, table, text_only=text_only)
        if chunk is not None:
            yield chunk


# -- CSV ---------------------------------------------------------------------------
class _Delimited(csv.excel):
    """Excel's CSV rules (doubled quotes inside quoted cells) with the delimiter the file uses."""


def _dialect(sample: str) -> type[csv.Dialect]:
    # Only the delimiter is sniffed: the sniffer's guesses about quoting are wrong
    # often enough (a doubled quote next to a comma) to split rows.
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
    except csv.Error:
        delimiter = ","
    return type("_Sniffed", (_Delimited,), {"delimiter": delimiter})


def _open_csv(path: Path, known: Callable[[str], bool] | None, size: int) -> Table:
    encoding = detect_encoding(path)
    with path.open(encoding=encoding, newline="") as f:
        sample = f.read(64 * 1024)
    dialect = _dialect(sample)
    head = list(csv.reader(io.StringIO(sample, newline=""), dialect))[:_HEADER_SEARCH_ROWS]
    try:
        h = _find_header(head, known)
    except InputError as exc:
        raise InputError(f"{path.name}: {exc}") from None
    headers = _headers(head[h])
    scan = _scan(path)
    total = scan.newlines - h - 1
    table = Table(headers=headers, chunks=lambda: iter(()), total_rows=max(total, 0), encoding=encoding)
    start = _data_start(path, encoding, h + 1) if scan.plain_lines(encoding) else None

    def chunks() -> Iterator[Chunk]:
        if start is not None and scan.free_byte is not None:
            try:
                yield from _line_chunks(path, encoding, start, scan.free_byte, scan.block_size, dialect, h + 2,
                                        len(headers), table, size)
            except csv.Error as exc:
                raise InputError(f"{path.name}: not a well-formed CSV file: {exc}") from None
            return
        with path.open(encoding=encoding, newline="") as f:
            reader = csv.reader(f, dialect)
            for _ in range(h + 1):
                next(reader, None)
            try:
                yield from _rows_chunks(reader, h + 2, len(headers), table, size, text_only=True)
            except csv.Error as exc:
                raise InputError(f"{path.name}: not a well-formed CSV file: {exc}") from None

    table.chunks = chunks
    return table


# A CSV file without a quote character is one record per line: Arrow (C++) can cut it into
# lines, with csv's rules for line ends (\r\n, \r or \n; an empty line is an empty record),
# much faster than Python reads it. The lines of a chunk are then split at the delimiter in
# Arrow too when every line has the same number of cells (else csv reads that chunk's lines),
# and give exactly the records csv.reader gives.
_SEPARATOR_CANDIDATES = b"\x1f\x1e\x1d"


@dataclass
class _Scan:
    """What one pass over a file's bytes tells: line feeds, whether a quote occurs, and a control
    character that does not occur (to give Arrow as a delimiter that splits nothing)."""

    newlines: int = 0
    quotes: bool = False
    free_byte: str | None = None
    longest: int = 0  # bytes between two line feeds at most (Arrow wants a line to fit in a block)

    def plain_lines(self, encoding: str) -> bool:
        # GB18030 and UTF-8 never use the bytes of '"', CR, LF or ASCII controls inside a character
        return (not self.quotes and self.free_byte is not None and self.longest <= _LONGEST_LINE
                and encoding in ("utf-8", "utf-8-sig", "gb18030"))

    @property
    def block_size(self) -> int:
        # room for the longest line, however its bytes grow when GB18030 is decoded to UTF-8
        return max(1 << 20, 4 * self.longest + 4096)


_LONGEST_LINE = 4 << 20


def _scan(path: Path) -> _Scan:
    scan = _Scan()
    seen: set[int] = set()
    since = 0  # bytes since the last line feed
    with path.open("rb") as fb:
        for block in iter(lambda: fb.read(1 << 20), b""):
            scan.newlines += block.count(b"\n")
            scan.quotes = scan.quotes or b'"' in block
            seen.update(c for c in _SEPARATOR_CANDIDATES if c not in seen and bytes([c]) in block)
            feeds = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 10)
            if len(feeds):
                gaps = np.diff(feeds)
                scan.longest = max(scan.longest, since + int(feeds[0]), int(gaps.max()) if len(gaps) else 0)
                since = len(block) - int(feeds[-1]) - 1
            else:
                since += len(block)
    scan.longest = max(scan.longest, since)
    scan.free_byte = next((chr(c) for c in _SEPARATOR_CANDIDATES if c not in seen), None)
    return scan


def _data_start(path: Path, encoding: str, skip: int) -> int | None:
    """The byte offset of the line after the first `skip` lines (title rows and header row), or None
    when they are not all in the file's first megabyte."""
    with path.open("rb") as fb:
        head = fb.read(1 << 20)
    pos = len(codecs.BOM_UTF8) if encoding == "utf-8-sig" else 0
    for _ in range(skip):
        ends = [i for i in (head.find(b"\r", pos), head.find(b"\n", pos)) if i >= 0]
        if not ends:
            return None
        end = min(ends)
        if end + 1 >= len(head):
            return None  # the line end may go on past what was read
        pos = end + 2 if head[end : end + 2] == b"\r\n" else end + 1
    return pos


def _line_chunks(
    path: Path, encoding: str, start: int, free: str, block_size: int, dialect: type[csv.Dialect], first_number: int,
    width: int, table: Table, size: int,
) -> Iterator[Chunk]:
    """The records from byte `start` on, `size` at a time, read as lines by Arrow (see above)."""
    if start >= path.stat().st_size:
        return  # no line after the header row (Arrow calls that an empty file)
    stream = pa.OSFile(str(path), "r")
    stream.seek(start)
    reader = pa_csv.open_csv(
        stream,
        read_options=pa_csv.ReadOptions(column_names=["line"], block_size=block_size,
                                        encoding="utf8" if encoding.startswith("utf-8") else encoding),
        parse_options=pa_csv.ParseOptions(delimiter=free, quote_char=False, escape_char=False, newlines_in_values=False,
                                          ignore_empty_lines=False),
        convert_options=pa_csv.ConvertOptions(column_types={"line": pa.string()}, null_values=[],
                                              strings_can_be_null=False, quoted_strings_can_be_null=False),
    )
    pending: list[pa.Array] = []
    held = 0
    number = first_number

    def take(n: int) -> pa.Array:
        nonlocal pending, held
        lines = pa.concat_arrays(pending) if len(pending) > 1 else pending[0]
        pending, held = ([lines.slice(n)] if n < len(lines) else []), held - n
        return lines.slice(0, n)

    with stream:
        for batch in reader:
            pending.append(batch.column(0))
            held += batch.num_rows
            while held >= size:
                lines = take(size)
                chunk = _lines_chunk(lines, dialect, number, width, table)
                number += size
                if chunk is not None:
                    yield chunk
        if held:
            n = held
            chunk = _lines_chunk(take(n), dialect, number, width, table)
            if chunk is not None:
                yield chunk


def _lines_chunk(lines: pa.Array, dialect: type[csv.Dialect], first_number: int, width: int, table: Table) -> Chunk | None:
    """The records of these lines: cells cut by Arrow when every line has as many, else by csv."""
    fields = pc.split_pattern(lines, pattern=dialect.delimiter)
    counts = pc.min_max(pc.list_value_length(fields))
    longest_line = pc.max(pc.binary_length(lines)).as_py() or 0
    if counts["min"].as_py() != counts["max"].as_py() or longest_line > csv.field_size_limit():
        return _frame(list(csv.reader(lines.to_pylist(), dialect)), first_number, width, table, text_only=True)
    cells = counts["max"].as_py()
    columns = [pd.Series(pc.list_element(fields, j), dtype="str") for j in range(cells)]
    columns += [pd.Series([None] * len(lines), dtype="str") for _ in range(cells, width)]
    df = pd.DataFrame({j: _text_column(c, text_only=True) for j, c in enumerate(columns)})
    df.columns = pd.RangeIndex(len(columns))
    return _chunk(df, first_number, table)


# -- XLSX --------------------------------------------------------------------------
def _open_xlsx(path: Path, known: Callable[[str], bool] | None, size: int) -> Table:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or mislabelled file
        raise InputError(f"{path.name}: cannot open as an Excel workbook: {exc}") from exc
    ws = wb.worksheets[0]
    head = [list(r) for r in ws.iter_rows(max_row=_HEADER_SEARCH_ROWS, values_only=True)]
    try:
        h = _find_header(head, known)
    except InputError as exc:
        raise InputError(f"{path.name}: {exc}") from None
    headers = _headers(head[h])
    total = (ws.max_row or 0) - h - 1 if ws.max_row else None
    wb.close()
    table = Table(headers=headers, chunks=lambda: iter(()), total_rows=total)

    def chunks() -> Iterator[Chunk]:
        book = load_workbook(path, read_only=True, data_only=True)
        try:
            records = book.worksheets[0].iter_rows(min_row=h + 2, values_only=True)
            yield from _rows_chunks(records, h + 2, len(headers), table, size, text_only=False)
        finally:
            book.close()

    table.chunks = chunks
    return table


# -- vector files ------------------------------------------------------------------
def _shapefile_encoding(path: Path) -> str | None:
    """A Shapefile's .cpg names its encoding; without one, GBK .dbf files are common here: sniff them."""
    if path.with_suffix(".cpg").exists() or path.with_suffix(".CPG").exists():
        return None  # GDAL honours the .cpg itself
    dbf = next((p for p in (path.with_suffix(".dbf"), path.with_suffix(".DBF")) if p.exists()), None)
    if dbf is None:
        return None
    data = dbf.read_bytes()
    # Only the text counts: the field names in the header's 32-byte descriptors, and the records.
    header_len = int.from_bytes(data[8:10], "little")
    names = b"".join(data[i : i + 11].rstrip(b"\0") for i in range(32, header_len - 1, 32) if data[i] != 0x0D)
    text = names + data[header_len:]
    for encoding in ("UTF-8", "GB18030"):
        try:
            text.decode(encoding)
            return encoding
        except UnicodeDecodeError:
            continue
    return None


def _open_vector(path: Path) -> Table:
    import pyogrio

    kwargs: dict[str, Any] = {}
    if path.suffix.lower() == ".shp":
        enc = _shapefile_encoding(path)
        if enc:
            kwargs["encoding"] = enc
    try:
        gdf = pyogrio.read_dataframe(path, **kwargs)
    except Exception as exc:  # GDAL's errors are many; the message is what matters
        raise InputError(f"{path.name}: cannot read as a vector file: {exc}") from exc
    if gdf.crs is not None and gdf.crs.to_epsg() not in (4326, 4490):
        gdf = gdf.to_crs(4326)
    headers = [str(c) for c in gdf.columns if c != "geometry"]
    frame = pd.DataFrame({j: _text_column(gdf[h].astype("object")) for j, h in enumerate(headers)}, index=gdf.index)
    geoms = gdf.geometry

    def chunks() -> Iterator[Chunk]:
        # One chunk: the file is in memory already, and grids are checked against each
        # other as a whole. A feature's number is its position in the file, from 1.
        yield Chunk(frame.reset_index(drop=True), np.arange(1, len(frame) + 1), geoms)

    return Table(headers=headers, chunks=chunks, total_rows=len(frame), is_vector=True)


def open_table(path: Path, *, known: Callable[[str], bool] | None = None, chunk_rows: int = CHUNK_ROWS) -> Table:
    """Open a CSV, XLSX, GeoJSON, GeoPackage or Shapefile; InputError if it cannot be read at all.

    `known` tells whether a header text is a column this dataset knows; it finds
    the header row below any title rows.
    """
    if not path.exists():
        raise InputError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix in {".csv", ".txt"}:
        return _open_csv(path, known, chunk_rows)
    if suffix in {".xlsx", ".xlsm"}:
        return _open_xlsx(path, known, chunk_rows)
    if suffix in VECTOR_SUFFIXES:
        return _open_vector(path)
    raise InputError(
        f"{path.name}: unsupported file type {suffix or '(none)'}; use CSV, XLSX, GeoJSON, GeoPackage or Shapefile"
    )
