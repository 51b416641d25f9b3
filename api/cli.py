"""`gridgov publish` and `gridgov api`: the OGC API's commands (entry points of the kernel CLI)."""

from __future__ import annotations

import click

from api.publish import SCHEMA
from api.publish import publish as publish_layers
from gridgov import migrations
from gridgov.database import connect, resolve_url
from gridgov.settings import Settings


@click.command()
@click.pass_obj
def publish(settings: Settings) -> None:
    """Refresh the de-identified tables the OGC API serves (schema open_data)."""
    with connect(resolve_url(settings.database)) as conn:
        migrations.upgrade(conn)
        done = publish_layers(conn, settings.layers)
    click.echo(f"published {len(done.tables)} layers in schema {SCHEMA}: {', '.join(done.tables)}")
    for name, error in done.failed.items():
        click.secho(f"gridgov: layer {name} was not published (its last table is kept): {error}", fg="red", err=True)
    if done.failed:
        raise SystemExit(1)


@click.command()
@click.option("--host", default=None, help="Address to listen on (default: GRIDGOV_HOST or 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port to listen on (default: GRIDGOV_API_PORT or 8081).")
@click.option("--refresh", type=float, default=600, show_default=True,
              help="Publish the layers again every this many seconds (0: only at start).")
@click.pass_obj
def api(settings: Settings, host: str | None, port: int | None, refresh: float) -> None:
    """Serve the de-identified layers as an OGC API – Features endpoint (for QGIS; HTTP Basic, planners and the secretary)."""
    import uvicorn

    from api.server import create_app

    host = host or settings.api.host
    port = port or settings.api.api_port
    url = resolve_url(settings.database)
    with connect(url) as conn:  # fail now with a clear message, and bring the schema up to date
        migrations.upgrade(conn)
    click.echo(f"gridgov OGC API – Features: http://{host}:{port}/ (QGIS: Layer → Add WFS / OGC API – Features layer,"
               " with a Basic authentication configuration: a planner's or the secretary's account)")
    uvicorn.run(create_app(url, settings, refresh), host=host, port=port, log_level="info")
