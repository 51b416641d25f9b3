"""How a per-grid layer is coloured, from its registry legend: one Style per legend kind.

    count     classes of the values shown (zero in a class of its own; dashboard.maps.choropleth)
    rate      a continuous 0–100 % colour bar
    bin       the Getis-Ord Gi* bins −3 … +3, as the layer's legend lists them
    category  the layer's categories (value, key of its name, colour), those present in the features

The map colours features in the browser (gridgov.map.layerStyle in
assets/gridgov_map.js) from `hideout`, so the same Style draws the map and its
legend (dashboard.maps.layer_legend). A feature whose value is missing (withheld
for a planner, or no data) is drawn in MISSING.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from dashboard.maps.choropleth import count_classes
from gridgov.i18n import text
from layers.registry import Layer

MISSING = "#d9d9d9"
# YlGnBu, 0 % to 100 % in equal steps: the rate colour bar
RATE_STOPS = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
# ArcGIS's hot spot colours, for a bin layer whose legend lists no bins of its own
BINS = (
    ("-3", "bin_-3", "#4575b5"),
    ("-2", "bin_-2", "#849eba"),
    ("-1", "bin_-1", "#c0ccbe"),
    ("0", "bin_0", "#ffffbf"),
    ("1", "bin_1", "#fab984"),
    ("2", "bin_2", "#ed7551"),
    ("3", "bin_3", "#d62f27"),
)


@dataclass(frozen=True)
class Style:
    """The colours of one layer as drawn: classes (count), stops (rate) or values (bin, category)."""

    kind: str
    property: str
    colors: tuple[str, ...]
    labels: tuple[str, ...]  # one per colour: a count range, a stop's percentage or a category's name
    thresholds: tuple[float, ...] = ()  # count: lower bound of each class; rate: the position of each stop
    values: tuple[str, ...] = ()  # bin, category: the value each colour stands for
    missing: bool = False  # some feature has no value: the legend shows MISSING too


def values_of(features: dict[str, Any], prop: str) -> list[Any]:
    """The property `prop` of every feature, None where it is missing."""
    return [(f.get("properties") or {}).get(prop) for f in features.get("features", [])]


def _categories(layer: Layer, lang: str, present: Iterable[str] | None) -> tuple[tuple[str, str, str], ...]:
    listed = layer.legend.categories or (BINS if layer.legend.kind == "bin" else ())
    keep = None if present is None else set(present)
    return tuple(
        (value, text(key, lang), colour)
        for value, key, colour in listed
        if keep is None or value in keep
    )


def style_of(layer: Layer, features: dict[str, Any], lang: str) -> Style:
    """The Style of `layer` for the features shown (count classes and categories follow the data)."""
    legend = layer.legend
    raw = values_of(features, legend.property)
    present = [v for v in raw if v is not None]
    missing = len(present) < len(raw)
    if legend.kind == "count":
        classes = count_classes(int(max((float(v) for v in present), default=0)))
        return Style(
            "count", legend.property, tuple(classes.colors), tuple(classes.labels),
            thresholds=tuple(float(t) for t in classes.thresholds), missing=missing,
        )
    if legend.kind == "rate":
        steps = len(RATE_STOPS) - 1
        stops = tuple(100.0 * i / steps for i in range(len(RATE_STOPS)))
        return Style("rate", legend.property, RATE_STOPS, tuple(f"{s:g} %" for s in stops), thresholds=stops, missing=missing)
    # bin: every bin, so hot and cold always read the same; category: only those on the map
    shown = _categories(layer, lang, None if legend.kind == "bin" else {str(v) for v in present})
    return Style(
        legend.kind, legend.property,
        tuple(c for _v, _l, c in shown), tuple(label for _v, label, _c in shown),
        values=tuple(v for v, _l, _c in shown), missing=missing,
    )


def hideout(layer: Layer, style: Style, lang: str, *, class_name: str, labels: dict[str, str]) -> dict[str, Any]:
    """What gridgov.map.layerStyle and layerFeature read: the colours, and the words of tooltips and popups.

    `labels` holds the interface's own words: grid (the popup's first row) and missing (a value not shown).
    """
    columns = [[c.name, text(c.label, lang)] for c in layer.columns]
    return {
        "kind": style.kind,
        "property": style.property,
        "thresholds": list(style.thresholds),
        "colors": list(style.colors),
        "values": list(style.values),
        "valueLabels": list(style.labels) if style.values else [],
        "missingColor": MISSING,
        "className": class_name,
        "title": text(layer.legend.title, lang),
        "columns": columns,
        "labels": labels,
    }
