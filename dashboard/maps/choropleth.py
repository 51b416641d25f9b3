"""Colour classes of a choropleth: thresholds, colours and legend labels for a count."""

from __future__ import annotations

import math
from dataclasses import dataclass

# OrRd, light to dark; the lightest is kept for "none" so a grid without cases reads as calm.
PALETTE = ("#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000")


@dataclass(frozen=True)
class Classes:
    """Lower bound, colour and label of each class, lowest first."""

    thresholds: list[int]
    colors: list[str]
    labels: list[str]


def count_classes(max_value: int, *, palette: tuple[str, ...] = PALETTE) -> Classes:
    """Zero in a class of its own, then up to len(palette) - 1 equal-width classes up to `max_value`."""
    steps = len(palette) - 1
    if max_value <= 0:
        return Classes(thresholds=[0], colors=[palette[0]], labels=["0"])
    width = math.ceil(max_value / steps)
    thresholds = [0] + [1 + i * width for i in range(steps) if 1 + i * width <= max_value]
    uppers = [t - 1 for t in thresholds[1:]] + [max_value]
    labels = [str(lo) if lo == hi else f"{lo}–{hi}" for lo, hi in zip(thresholds, uppers, strict=True)]
    nonzero = palette[1:]
    k = len(thresholds) - 1
    # spread the classes over the palette so the top class is always the darkest colour
    picked = [nonzero[-1]] if k == 1 else [nonzero[round(i * (len(nonzero) - 1) / (k - 1))] for i in range(k)]
    return Classes(thresholds=thresholds, colors=[palette[0], *picked], labels=labels)
