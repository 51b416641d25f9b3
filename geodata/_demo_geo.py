"""Geometry of the demo community: a jittered lattice of grids and points placed well inside them."""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import Point, Polygon

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gridgov.coords import gcj02_to_bd09, wgs84_to_gcj02

LON0, LAT0 = 116.5025, 39.9245  # 甘露园, 朝阳区 (WGS-84)
WIDTH_M, HEIGHT_M = 700.0, 550.0
COLS, ROWS = 5, 2
SAMPLE_MARGIN_M = 12.0  # points are drawn this far inside; after rounding they must keep MIN_EDGE_M
MIN_EDGE_M = 10.0
Coord = tuple[float, float]


def metres_per_degree(lat: float) -> tuple[float, float]:
    """Metres per degree of longitude and of latitude at `lat`, from WGS-84's radii of curvature."""
    # Over the 700 m of the demo the resulting affine map is exact to centimetres, and keeps edges straight.
    a, e2 = 6378137.0, 6.69437999014e-3
    s2 = math.sin(math.radians(lat)) ** 2
    meridian = a * (1 - e2) / (1 - e2 * s2) ** 1.5
    normal = a / math.sqrt(1 - e2 * s2)
    return normal * math.cos(math.radians(lat)) * math.pi / 180, meridian * math.pi / 180


KX, KY = metres_per_degree(LAT0)


def to_lonlat(x: float, y: float) -> Coord:
    """Local metres east/north of the centre to lon/lat rounded to 7 decimals."""
    return round(LON0 + x / KX, 7), round(LAT0 + y / KY, 7)


def to_xy(lon: float, lat: float) -> Coord:
    """Lon/lat to local metres east/north of the centre."""
    return (lon - LON0) * KX, (lat - LAT0) * KY


@dataclass(frozen=True)
class Grid:
    """One grid polygon; `ring` is closed, counter-clockwise, in lon/lat; `holes` are land in no grid (a park)."""

    index: int
    code: str
    name: str
    leader: str
    compound: str
    ring: tuple[Coord, ...]
    holes: tuple[tuple[Coord, ...], ...] = ()
    shape: Polygon = field(init=False, compare=False)
    shape_m: Polygon = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "shape", Polygon(self.ring, self.holes))
        object.__setattr__(self, "shape_m", Polygon([to_xy(*p) for p in self.ring],
                                                    [[to_xy(*p) for p in h] for h in self.holes]))


def lattice(rng: np.random.Generator) -> list[list[Coord]]:
    """Rounded lon/lat vertices [column][row]; every cell is built from these, so shared edges are identical."""
    xs = np.linspace(-WIDTH_M / 2, WIDTH_M / 2, COLS + 1)
    ys = np.linspace(-HEIGHT_M / 2, HEIGHT_M / 2, ROWS + 1)
    jx = rng.uniform(-18.0, 18.0, (COLS + 1, ROWS + 1))
    jy = rng.uniform(-22.0, 22.0, (COLS + 1, ROWS + 1))
    return [[to_lonlat(float(xs[c] + jx[c, r]), float(ys[r] + jy[c, r])) for r in range(ROWS + 1)]
            for c in range(COLS + 1)]


def cell_ring(v: list[list[Coord]], c: int, r: int) -> tuple[Coord, ...]:
    """Closed counter-clockwise ring of lattice cell (column c, row r counted from the south)."""
    return (v[c][r], v[c + 1][r], v[c + 1][r + 1], v[c][r + 1], v[c][r])


def outline(v: list[list[Coord]]) -> Polygon:
    """The community boundary: the lattice's outer vertices, counter-clockwise."""
    south = [v[c][0] for c in range(COLS + 1)]
    east = [v[COLS][r] for r in range(1, ROWS + 1)]
    north = [v[c][ROWS] for c in range(COLS - 1, -1, -1)]
    west = [v[0][r] for r in range(ROWS - 1, 0, -1)]
    return Polygon(south + east + north + west)


def require(ok: bool, message: str) -> None:
    """Raise (not assert, which -O strips) when a generated invariant fails."""
    if not ok:
        raise RuntimeError(message)


def check_tiling(cells: list[Polygon], boundary: Polygon) -> None:
    """Cells are valid, counter-clockwise, cover the boundary exactly and overlap nowhere."""
    require(boundary.is_valid and boundary.exterior.is_ccw, "boundary invalid or clockwise")
    for cell in cells:
        require(cell.is_valid and cell.exterior.is_ccw, "grid invalid or clockwise")
    union = shapely.union_all(cells)
    require(math.isclose(union.area, boundary.area, rel_tol=1e-12), "union area differs from boundary area")
    require(union.symmetric_difference(boundary).area <= 1e-12 * boundary.area, "grids leave a gap")
    for a, b in combinations(cells, 2):
        require(a.intersection(b).area == 0.0, "grids overlap")


def sample_points(rng: np.random.Generator, grid: Grid, n: int, *, min_sep_m: float = 0.0) -> list[Coord]:
    """n rounded lon/lat points inside `grid`, SAMPLE_MARGIN_M from its edges and min_sep_m apart."""
    poly = grid.shape_m
    x0, y0, x1, y1 = poly.bounds
    placed: list[Coord] = []
    for _ in range(20_000):
        x, y = float(rng.uniform(x0, x1)), float(rng.uniform(y0, y1))
        p = Point(x, y)
        if not poly.contains(p) or poly.boundary.distance(p) < SAMPLE_MARGIN_M:
            continue
        if any(math.hypot(x - a, y - b) < min_sep_m for a, b in placed):
            continue
        placed.append((x, y))
        if len(placed) == n:
            return [to_lonlat(a, b) for a, b in placed]
    raise RuntimeError(f"could not place {n} points in grid {grid.code}")


def check_points(points: list[Coord], grids: list[Grid]) -> None:
    """Each lon/lat point lies inside exactly one grid, at least MIN_EDGE_M from its edges."""
    for lon, lat in points:
        inside = [g for g in grids if g.shape.contains(Point(lon, lat))]
        require(len(inside) == 1, f"point {lon},{lat} is in {len(inside)} grids")
        dist = inside[0].shape_m.boundary.distance(Point(*to_xy(lon, lat)))
        require(dist >= MIN_EDGE_M, f"point {lon},{lat} is {dist:.1f} m from a grid edge")


def convert(lon: float, lat: float, crs: str) -> tuple[float, float]:
    """The true WGS-84 point as a Chinese map service would publish it."""
    if crs == "wgs84":
        return lon, lat
    glon, glat = wgs84_to_gcj02(np.array([lon]), np.array([lat]))
    if crs == "bd09":
        glon, glat = gcj02_to_bd09(glon, glat)
    return round(float(glon[0]), 7), round(float(glat[0]), 7)
