"""`gridgov load` and `gridgov quarantine`: the data clerk's commands."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from etl import quarantine as quarantined
from etl.folder import plan
from etl.geocoders import from_setting
from etl.gridproblems import GridProblem, GridRules, GridsRefused
from etl.gridreport import write_report
from etl.load import LoadResult, load_file
from etl.report import print_summary
from gridgov import migrations
from gridgov.database import connect, resolve_url
from gridgov.settings import Settings


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--dataset", help="The dataset of a single file whose name does not say it (e.g. households).")
@click.option("--strict", is_flag=True,
              help="Refuse a grid file on any problem, even one the load repairs (a ring crossing itself, a small "
                   "overlap) or only warns about (a gap, a hole, a community in pieces).")
@click.option("--report", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the grid files' problems, each with its place, to this GeoJSON (for QGIS); "
                   "written also when a grid file is refused.")
@click.pass_obj
def load(settings: Settings, path: Path, dataset: str | None, strict: bool, report: Path | None) -> None:
    """Load a folder of source files (or one file) into the database."""
    todo, skipped = plan(path, dataset)
    geocoder = from_setting(settings.etl.geocoder)
    results: list[LoadResult] = []
    rules = GridRules.from_settings(settings.etl, strict=strict)
    problems: list[GridProblem] = []  # every grid file's, for --report
    with connect(resolve_url(settings.database)) as conn, Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        disable=not sys.stderr.isatty(), transient=True,
    ) as bars:
        migrations.upgrade(conn)
        for src in todo:
            task = bars.add_task(f"{src.path.name} → {src.dataset.name}", total=None)

            def progress(done: int, total: int | None, task: TaskID = task) -> None:
                bars.update(task, completed=done, total=total)

            try:
                results.append(load_file(conn, src.path, src.dataset, mapping=src.mapping, geocoder=geocoder,
                                         progress=progress, parse_workers=settings.etl.parse_workers,
                                         clock=settings.etl.clock(), grid_rules=rules))
            except GridsRefused as exc:
                _report(report, [*problems, *exc.problems])
                raise
            if src.dataset.placement == "polygon":
                problems += results[-1].grid_problems
                _report(report, problems)
            bars.update(task, visible=False)
            click.echo(f"loaded {src.path.name} as {src.dataset.name}", err=True)
    print_summary(results, skipped)
    if report is not None and not any(s.dataset.placement == "polygon" for s in todo):
        click.echo(f"no grid file in this load: {report} was not written", err=True)


def _report(path: Path | None, problems: list[GridProblem]) -> None:
    if path is not None:
        write_report(path, problems)
        click.echo(f"wrote {len(problems):,} grid problems, each with its place, to {path} (open it in QGIS)", err=True)


@click.command()
@click.option("--dataset", help="Only this dataset (e.g. households).")
@click.option("--file", "source_file", help="Only rows from this source file name.")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Write the rows to this CSV in the file's own columns plus a reason column, to fix and reload.")
@click.pass_obj
def quarantine(settings: Settings, dataset: str | None, source_file: str | None, output: Path | None) -> None:
    """List the rows that could not be loaded, with the reason, or write them out to fix."""
    with connect(resolve_url(settings.database)) as conn:
        migrations.upgrade(conn)
        found = quarantined.rows(conn, dataset=dataset, source_file=source_file)
    if output:
        n = quarantined.write_csv(found, output)
        click.echo(f"wrote {n} quarantined rows to {output}")
        return
    for r in found:
        click.echo(f"{r.dataset}\t{r.source_file}\trow {r.row_number}\t{r.reason}")
    click.echo(f"{len(found)} quarantined rows")
