"""The second demo community's grids, drawn as an office draws a boundary file (as geodata/boundaries.py does
for a whole city, here on the demo's small lattice).

Its lattice continues the first community's eastwards: the corners it shares with the first are the
first's own vertices. Every edge is digitised once per grid that has it, each copy slipping up to about a
metre off the line (sine modes that vanish at the corners), so neighbours, the first community's grids
among them, overlap in slivers of a few m² to a few hundred and leave sliver gaps between them. One grid
has a park inside it that belongs to no grid (a hole). `gridgov load` repairs the overlaps (each given to
the lower grid code) and reports the gaps and the park; no planted point is near any of them.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from _demo_geo import HEIGHT_M, ROWS, Coord, Polygon, require, to_lonlat, to_xy

CELL_M = 140.0  # the second community's grids are narrower than the first's (700 m / 5)
STEP_M = 8.0  # a vertex about every 8 m along an edge
SLIP_M = 0.6  # amplitude of a copy's longest slip mode
SLIP_MODES = np.arange(3, 13)  # sin(k·π·t): zero at both corners, so corners stay shared exactly
PARK_M = 30.0  # the park's radius, about
SLIVER_MAX_M2 = 300.0  # below gridgov load's overlap repair limit (500 m² and 1% of the smaller grid)


def east_lattice(rng: np.random.Generator, west: list[Coord], columns: int) -> list[list[Coord]]:
    """Rounded lon/lat vertices [column][row]; column 0 is `west`, the first community's east edge, as it is."""
    x0 = float(np.mean([to_xy(*p)[0] for p in west]))
    ys = np.linspace(-HEIGHT_M / 2, HEIGHT_M / 2, ROWS + 1)
    jx = rng.uniform(-15.0, 15.0, (columns + 1, ROWS + 1))
    jy = rng.uniform(-18.0, 18.0, (columns + 1, ROWS + 1))
    return [list(west)] + [[to_lonlat(x0 + c * CELL_M + float(jx[c, r]), float(ys[r] + jy[c, r]))
                            for r in range(ROWS + 1)] for c in range(1, columns + 1)]


def _digitised(rng: np.random.Generator, a: Coord, b: Coord) -> list[Coord]:
    """One copy of the edge a → b: a vertex every STEP_M, each off the line by this copy's own slip; a and b exact."""
    (ax, ay), (bx, by) = to_xy(*a), to_xy(*b)
    length = math.hypot(bx - ax, by - ay)
    t = np.linspace(0.0, 1.0, max(2, math.ceil(length / STEP_M)) + 1)
    amplitude = rng.uniform(-1.0, 1.0, len(SLIP_MODES)) * SLIP_M / np.sqrt(SLIP_MODES)
    offset = (amplitude[:, None] * np.sin(np.pi * SLIP_MODES[:, None] * t[None, :])).sum(axis=0)
    nx, ny = -(by - ay) / length, (bx - ax) / length
    inner = [to_lonlat(ax + (bx - ax) * float(s) + nx * float(o), ay + (by - ay) * float(s) + ny * float(o))
             for s, o in zip(t[1:-1], offset[1:-1], strict=True)]
    return [a, *inner, b]


def drawn_ring(rng: np.random.Generator, v: list[list[Coord]], c: int, r: int) -> tuple[Coord, ...]:
    """Closed counter-clockwise ring of cell (c, r), every edge digitised afresh for this grid."""
    corners = (v[c][r], v[c + 1][r], v[c + 1][r + 1], v[c][r + 1])
    ring: list[Coord] = []
    for i in range(4):
        ring += _digitised(rng, corners[i], corners[(i + 1) % 4])[:-1]
    return (*ring, ring[0])


def park(rng: np.random.Generator, ring: tuple[Coord, ...]) -> tuple[Coord, ...]:
    """A park well inside the grid of `ring`: a closed clockwise ring (a hole), belonging to no grid."""
    cell = Polygon([to_xy(*p) for p in ring])
    centre = cell.centroid
    angle = np.linspace(0.0, 2 * np.pi, 48, endpoint=False)
    phase = rng.uniform(0.0, 2 * np.pi, 2)
    radius = PARK_M * (1 + 0.15 * np.sin(3 * angle + phase[0]) + 0.08 * np.sin(5 * angle + phase[1]))
    xy = [(centre.x + float(q) * math.cos(a), centre.y + float(q) * math.sin(a)) for a, q in zip(angle, radius, strict=True)]
    require(cell.buffer(-20.0).contains(Polygon(xy)), "the park does not fit well inside its grid")
    hole = [to_lonlat(x, y) for x, y in reversed(xy)]
    return (*hole, hole[0])


def check_drawn(cells: list[Polygon]) -> None:
    """Valid polygons whose neighbours overlap only in slivers the load repairs (plane metres)."""
    require(all(c.is_valid for c in cells), "a drawn grid is not valid")
    tree = shapely.STRtree(cells)
    for i, j in zip(*tree.query(cells, predicate="intersects"), strict=True):
        if i < j:
            pieces = shapely.get_parts(cells[i].intersection(cells[j]))
            largest = max((float(p.area) for p in pieces), default=0.0)
            require(largest < SLIVER_MAX_M2, f"grids {i} and {j} overlap by {largest:.0f} m² in one piece")
