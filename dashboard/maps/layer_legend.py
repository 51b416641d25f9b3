"""The legend of a per-grid layer, for each legend kind: classes, a colour bar, or the categories, and the formula.

Built from the same Style the map is coloured with (dashboard.maps.layer_style), so
the legend always says what the map shows. The layer's note (how the number is
computed) is shown under the colours, in the interface language.
"""

from __future__ import annotations

from typing import Any

from dash import html

from dashboard.maps.layer_style import MISSING, Style
from gridgov.i18n import text
from layers.registry import Layer

LEGEND_CLASS = "gg-legend gg-layer-legend"


def _row(colour: str, label: str) -> html.Div:
    return html.Div(
        [html.Span(className="gg-legend-swatch", style={"background": colour}), html.Span(label)],
        className="gg-legend-row",
    )


def _colour_bar(style: Style) -> html.Div:
    stops = ", ".join(f"{c} {t:g}%" for c, t in zip(style.colors, style.thresholds, strict=True))
    ticks = [html.Span(label, className="gg-colorbar-tick") for label in (style.labels[0], style.labels[len(style.labels) // 2], style.labels[-1])]
    return html.Div(
        [
            html.Div(className="gg-colorbar", style={"background": f"linear-gradient(to right, {stops})"}),
            html.Div(ticks, className="gg-colorbar-ticks"),
        ],
        className="gg-colorbar-wrap",
    )


def legend(layer: Layer, style: Style, lang: str) -> html.Div:
    """The layer's title, its colours with what each means, and its note."""
    title = text(layer.legend.title, lang)
    body: list[Any] = []
    if style.kind == "rate":
        body.append(_colour_bar(style))
    else:
        body.extend(_row(colour, label) for colour, label in zip(style.colors, style.labels, strict=True))
    if not style.colors:
        body.append(html.Div(text("legend_no_data", lang), className="gg-legend-row"))
    if style.missing:
        body.append(_row(MISSING, text("legend_missing", lang)))
    note = text(layer.legend.note, lang) if layer.legend.note else ""
    children: list[Any] = [html.Div(title, className="gg-legend-title"), *body]
    if note:
        children.append(html.P(note, className="gg-legend-note"))
    return html.Div(children, className=f"{LEGEND_CLASS} gg-legend-{style.kind}")
