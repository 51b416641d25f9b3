"""`gridgov serve`: run the dashboard (registered in the kernel CLI through an entry point)."""

from __future__ import annotations

import gc

import click
import waitress

from dashboard.app import create_app
from dashboard.wall import warmup
from gridgov import migrations
from gridgov.database import connect, resolve_url
from gridgov.errors import SetupError
from gridgov.settings import Settings


@click.command()
@click.option("--host", default=None, help="Address to listen on (default: GRIDGOV_HOST or 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port to listen on (default: GRIDGOV_PORT or 8050).")
@click.pass_obj
def serve(settings: Settings, host: str | None, port: int | None) -> None:
    """Serve the community grid map dashboard."""
    host = host or settings.dashboard.host
    port = port or settings.dashboard.port
    url = resolve_url(settings.database)
    with connect(url) as conn:  # fail now with a clear message, not on the first page load
        pending = [m for m in migrations.available() if m.version not in migrations.applied(conn)]
    if pending:
        raise SetupError(f"the database schema is {len(pending)} migration(s) behind: run `gridgov db upgrade` first")
    app = create_app(settings, url)
    click.echo("gridgov dashboard: building the wall screen's figures before the first visit…")
    click.echo(f"gridgov dashboard: ready in {warmup.warm(app):.1f} s")
    # what was built lives as long as the data does: ~370,000 objects at city scale, which every full pass of the
    # cyclic garbage collector would walk again (0.3 s with every request thread stopped): leave them out of it
    gc.freeze()
    click.echo(f"gridgov dashboard: http://{host}:{port}/ (sign in at http://{host}:{port}/login)")
    # waitress: a production WSGI server in pure Python, one thread per concurrent request
    # a body over the limit is refused (413) by waitress before it is buffered, as Flask would refuse it
    waitress.serve(
        app.server, host=host, port=port, threads=settings.dashboard.serve_threads, ident="gridgov",
        max_request_body_size=settings.dashboard.max_body_bytes,
        connection_limit=settings.dashboard.serve_connections,  # waitress's default of 100 is ~90 phones
    )
