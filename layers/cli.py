"""`gridgov export`: a layer as a de-identified file for the planner (an entry point of the kernel CLI).

Every export is written to the audit table like a download from the dashboard:
who (the operating-system user who ran it), via `cli`, the layer, the grids,
the filters, the format and the file, in the transaction that reads the data;
an export that fails records nothing.
"""

from __future__ import annotations

import getpass
import os
from datetime import date
from pathlib import Path

import click

from gridgov import audit
from gridgov.database import connect, resolve_url
from gridgov.errors import InputError
from gridgov.settings import Settings
from layers import audit_detail, export_docs, registry
from layers.export import FORMATS, format_of
from layers.export import export as export_layer
from layers.registry import PERIODS, Filters


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option} {value!r} is not a date; write it as YYYY-MM-DD, e.g. 2025-11-01") from None


def _within_calendar(filters: Filters, settings: Settings) -> None:
    """The dates the web's questions are held to (registry.calendar_bounds), for the same question asked here."""
    earliest, latest = registry.calendar_bounds(settings.layers)
    for option, day in (("--from", filters.start), ("--to", filters.end), ("--as-of", filters.as_of)):
        if day is not None and (day > latest or (option == "--as-of" and day < earliest)):
            first = f"{earliest} to " if option == "--as-of" else "up to "
            raise InputError(f"{option} {day} is out of range: give a date from {first}{latest} (GRIDGOV_FILTER_YEARS)")


def operator() -> str:
    """Who runs the command: the operating system's user name (their uid where the system names none)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


@click.command()
@click.argument("layer", required=False)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="The file to write: .geojson or .gpkg.")
@click.option("--format", "fmt", help=f"{' or '.join(FORMATS)}; default: from the output's extension.")
@click.option("--grid", "grids", multiple=True, metavar="CODE", help="Only this grid (repeat for more).")
@click.option("--from", "start", metavar="DATE", help="Start of the time window, YYYY-MM-DD (inclusive).")
@click.option("--to", "end", metavar="DATE", help="End of the time window, YYYY-MM-DD (inclusive).")
@click.option("--category", "categories", multiple=True, metavar="NAME", help="Only this category (repeat for more).")
@click.option("--status", "statuses", multiple=True, metavar="NAME", help="Only this status (repeat for more).")
@click.option("--as-of", "as_of", metavar="DATE", help="The day due and overdue are counted on (default: today).")
@click.option("--period", metavar="|".join(PERIODS), help="Time step of space-time layers (default: month).")
@click.option("--list", "show", is_flag=True, help="List the layers, their filters and their properties.")
@click.option("--markdown", is_flag=True, help="With --list: as the Markdown of docs/EXPORTS.md.")
@click.pass_obj
def export(
    settings: Settings, layer: str | None, output: Path | None, fmt: str | None, grids: tuple[str, ...],
    start: str | None, end: str | None, categories: tuple[str, ...], statuses: tuple[str, ...],
    as_of: str | None, period: str | None, show: bool, markdown: bool,
) -> None:
    """Write a layer's de-identified per-grid aggregate as GeoJSON (RFC 7946) or GeoPackage, for planners."""
    if show:
        click.echo(export_docs.markdown() if markdown else export_docs.listing())
        return
    if not layer:
        raise InputError("name the layer to export (`gridgov export --list` lists them)")
    if not output:
        raise InputError("say where to write it: -o FILE.geojson or -o FILE.gpkg")
    if period is not None and period not in PERIODS:
        raise InputError(f"--period must be one of {', '.join(PERIODS)}, not {period!r}")
    filters = Filters(
        grids=grids, start=_date(start, "--from"), end=_date(end, "--to"), categories=categories,
        statuses=statuses, as_of=_date(as_of, "--as-of"), period=period or "month",  # type: ignore[arg-type]
    )
    _within_calendar(filters, settings)
    kind = format_of(output, fmt)
    with connect(resolve_url(settings.database)) as conn:  # one transaction: the row is kept only with the file
        detail = audit_detail.detail(layer, filters, "cli", format=kind, file=str(output.resolve()))
        audit.record(conn, username=operator(), action=audit.EXPORT, detail=detail)
        path = export_layer(conn, layer, filters, output, settings.layers, fmt)
    click.echo(f"wrote {layer} to {path}")
