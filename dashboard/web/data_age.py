"""数据截至: beside a page's refresh time, the newest record of each source, and a warning when one is old.

The ages come from layers.freshness on the community's clock; a source older
than settings.layers.stale_days (or never loaded) is shown as a warning, so a map of
old data is never mistaken for a calm community.
"""

from __future__ import annotations

import logging
from typing import Any

import psycopg
from dash import html
from dash.development.base_component import Component

from dashboard.web import data_access
from dashboard.web.appctx import settings
from gridgov.clock import Clock
from gridgov.errors import DatabaseUnavailable
from gridgov.i18n import text
from layers import freshness
from layers.freshness import SourceAge

_log = logging.getLogger(__name__)


def _source(age: SourceAge) -> dict[str, Any]:
    return {"data-source": age.source}  # what the tests and the page's style select on


def _when(age: SourceAge, clock: Clock, lang: str) -> str:
    assert age.newest is not None
    t = age.newest.astimezone(clock.zone)
    return text("day_time", lang, t=t)


def children(ages: tuple[SourceAge, ...], clock: Clock, stale_days: float, lang: str) -> list[Component]:
    """The line's parts: the title, each source's newest record, then a warning per stale source."""
    limit = f"{stale_days:g}"
    parts: list[Component] = [html.Span(text("age_title", lang), className="gg-age-title")]
    for age in ages:
        source = text(f"age_{age.source}", lang)
        label = text("age_none", lang, source=source) if age.newest is None else f"{source} {_when(age, clock, lang)}"
        parts.append(html.Span(label, className="gg-age-source", **_source(age)))
    for age in ages:
        if not age.stale:
            continue
        source = text(f"age_{age.source}", lang)
        warning = (
            text("age_stale_none", lang, source=source)
            if age.newest is None
            else text("age_stale", lang, source=source, days=age.days(clock), limit=limit)
        )
        parts.append(html.Span(warning, className="gg-age-stale", role="status", **_source(age)))
    return parts


def current(lang: str) -> list[Component]:
    """The line for now, as any signed-in role may see it (empty when the database cannot be reached)."""
    config = settings()
    clock = config.layers.clock()
    try:
        latest = data_access.newest_records()
    except (psycopg.OperationalError, DatabaseUnavailable):
        _log.exception("data age: the database cannot be reached")
        return []
    return children(freshness.ages(latest, clock, config.layers.stale_days), clock, config.layers.stale_days, lang)


def line(lang: str, element_id: str = "data-age") -> html.Div:
    """The line as a component of its own (the wall refreshes its children)."""
    return html.Div(current(lang), id=element_id, className="gg-age")
