"""Geometry of the synthetic city: a jittered lattice of grids over Beijing and points placed well inside them.

Everything is vectorised (numpy + shapely 2), so 3,300 grids and 100,000 buildings take seconds.
Independent of etl/: the GCJ-02 offset is the published formula, written out here again.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "geodata"))
from _demo_geo import metres_per_degree

Rng = np.random.Generator
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

# The city rectangle (WGS-84): most of Beijing inside the 5th ring road.
LON_W, LON_E, LAT_S, LAT_N = 116.20, 116.60, 39.75, 40.05
LON0, LAT0 = (LON_W + LON_E) / 2, (LAT_S + LAT_N) / 2
JITTER = 0.15  # lattice vertices move up to this share of a cell's size
UV_MARGIN = 0.06  # points are drawn in the cell's bilinear square [m, 1 - m]^2
MIN_EDGE_M = 10.0  # every generated point keeps this distance from its grid's edges (after rounding)
COMMUNITY_COLS, COMMUNITY_ROWS = 5, 2  # a community is a block of 5 x 2 grids (smaller at the east/south edge)
COMMUNITIES_PER_STREET = 10


# At the centre latitude; over 34 km the affine map is good to a few metres, which is all the checks
# below need (they work in this plane throughout).
KX, KY = metres_per_degree(LAT0)


def require(ok: bool, message: str) -> None:
    """Raise (not assert, which -O strips) when a generated invariant fails."""
    if not ok:
        raise RuntimeError(message)


def to_lonlat(x: Floats, y: Floats) -> tuple[Floats, Floats]:
    """Plane metres east/north of the centre to lon/lat rounded to 7 decimals (what the files carry)."""
    return np.round(LON0 + x / KX, 7), np.round(LAT0 + y / KY, 7)


def to_xy(lon: Floats, lat: Floats) -> tuple[Floats, Floats]:
    return (lon - LON0) * KX, (lat - LAT0) * KY


@dataclass
class Grids:
    """The grid lattice. Grid i is lattice cell (col[i], row[i]), row counted from the south;
    grids are numbered community by community, so index order is grid-code order."""

    nx: int
    ny: int
    col: Ints
    row: Ints
    community: Ints  # community index of each grid
    number: Ints  # 1.. within its community: north row first, west to east
    rings: Floats  # (G, 5, 2) closed counter-clockwise lon/lat rings
    poly_m: npt.NDArray[np.object_]  # shapely polygons in plane metres
    corners_m: Floats  # (G, 4, 2) SW, SE, NE, NW corners in plane metres
    n_communities: int

    def __len__(self) -> int:
        return len(self.col)


def make_lattice(rng: Rng, nx: int, ny: int) -> Grids:
    """A (nx+1) x (ny+1) lattice of jittered, rounded vertices; outer vertices slide along the rectangle only,
    so the grids tile the rectangle exactly and every shared edge is the very same pair of vertices."""
    x0, x1 = (LON_W - LON0) * KX, (LON_E - LON0) * KX
    y0, y1 = (LAT_S - LAT0) * KY, (LAT_N - LAT0) * KY
    xs, ys = np.linspace(x0, x1, nx + 1), np.linspace(y0, y1, ny + 1)
    dx, dy = (x1 - x0) / nx, (y1 - y0) / ny
    jx = rng.uniform(-JITTER, JITTER, (nx + 1, ny + 1)) * dx
    jy = rng.uniform(-JITTER, JITTER, (nx + 1, ny + 1)) * dy
    jx[[0, nx], :] = 0.0  # west and east edges stay straight
    jy[:, [0, ny]] = 0.0  # south and north edges too
    vlon, vlat = to_lonlat(xs[:, None] + jx, ys[None, :] + jy)

    # Communities: blocks of COMMUNITY_COLS x COMMUNITY_ROWS cells counted from the north-west.
    cols, rows_from_north = np.meshgrid(np.arange(nx), np.arange(ny), indexing="xy")
    cols, rows_from_north = cols.ravel(), rows_from_north.ravel()
    bx, by = cols // COMMUNITY_COLS, rows_from_north // COMMUNITY_ROWS
    nbx = -(-nx // COMMUNITY_COLS)
    community = by * nbx + bx
    block_w = np.minimum(COMMUNITY_COLS, nx - bx * COMMUNITY_COLS)
    number = (rows_from_north % COMMUNITY_ROWS) * block_w + cols % COMMUNITY_COLS + 1
    order = np.lexsort((number, community))
    cols, rows = cols[order], (ny - 1 - rows_from_north)[order]
    community, number = community[order], number[order]

    corner_idx = [(0, 0), (1, 0), (1, 1), (0, 1)]  # SW, SE, NE, NW
    lon = np.stack([vlon[cols + a, rows + b] for a, b in corner_idx], axis=1)
    lat = np.stack([vlat[cols + a, rows + b] for a, b in corner_idx], axis=1)
    rings = np.stack([np.concatenate([lon, lon[:, :1]], axis=1), np.concatenate([lat, lat[:, :1]], axis=1)], axis=2)
    mx, my = to_xy(lon, lat)
    corners_m = np.stack([mx, my], axis=2)
    poly_m = shapely.polygons(np.concatenate([corners_m, corners_m[:, :1]], axis=1))
    grids = Grids(nx, ny, cols.astype(np.int64), rows.astype(np.int64), community.astype(np.int64),
                  number.astype(np.int64), rings, poly_m, corners_m, int(community.max()) + 1)
    check_tiling(grids)
    return grids


def check_tiling(grids: Grids) -> None:
    """Grids are valid and counter-clockwise, their areas add up to the rectangle's, and their union is it."""
    polys = shapely.polygons(grids.rings)  # in lon/lat, as written
    require(bool(shapely.is_valid(polys).all()), "a grid polygon is invalid")
    require(bool(shapely.is_ccw(shapely.get_exterior_ring(polys)).all()), "a grid polygon is clockwise")
    rect = shapely.box(LON_W, LAT_S, LON_E, LAT_N)
    total = float(shapely.area(polys).sum())
    require(math.isclose(total, rect.area, rel_tol=1e-9), "grid areas do not add up to the city: overlap or gap")
    union = shapely.union_all(polys)
    require(union.symmetric_difference(rect).area <= 1e-9 * rect.area, "grids leave a gap")


def sample_in_cells(grids: Grids, cell: Ints, u: Floats, v: Floats) -> tuple[Floats, Floats]:
    """Bilinear points (u, v in [0, 1]) of the given cells, as rounded lon/lat."""
    c = grids.corners_m[cell]
    w = np.stack([(1 - u) * (1 - v), u * (1 - v), u * v, (1 - u) * v], axis=1)
    x = (c[:, :, 0] * w).sum(axis=1)
    y = (c[:, :, 1] * w).sum(axis=1)
    return to_lonlat(x, y)


def random_points(rng: Rng, grids: Grids, cell: Ints) -> tuple[Floats, Floats]:
    """One random point per entry of `cell`, well inside that grid."""
    u = rng.uniform(UV_MARGIN, 1 - UV_MARGIN, len(cell))
    v = rng.uniform(UV_MARGIN, 1 - UV_MARGIN, len(cell))
    lon, lat = sample_in_cells(grids, cell, u, v)
    check_points(grids, cell, lon, lat)
    return lon, lat


def check_points(grids: Grids, cell: Ints, lon: Floats, lat: Floats) -> None:
    """Each rounded point lies inside its own grid, at least MIN_EDGE_M from its edges (so in no other grid)."""
    x, y = to_xy(lon, lat)
    polys = grids.poly_m[cell]
    require(bool(shapely.contains_xy(polys, x, y).all()), "a generated point lies outside its grid")
    dist = shapely.distance(shapely.boundary(polys), shapely.points(x, y))
    require(bool((dist >= MIN_EDGE_M).all()), f"a generated point is {dist.min():.1f} m from a grid edge")


def gcj02_offset(lon: Floats, lat: Floats) -> tuple[Floats, Floats]:
    """The published GCJ-02 offset (Krasovsky ellipsoid) for points inside China."""
    a, ee = 6378245.0, 0.00669342162296594323
    x, y = lon - 105.0, lat - 35.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
            + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
            + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
            + (160.0 * np.sin(y / 12.0 * np.pi) + 320 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0)
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
            + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
            + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
            + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0)
    rad = lat / 180.0 * np.pi
    magic = 1 - ee * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((a * (1 - ee)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (a / sqrt_magic * np.cos(rad) * np.pi)
    return dlon, dlat


def to_gcj02(lon: Floats, lat: Floats) -> tuple[Floats, Floats]:
    """The true WGS-84 point as Amap/Tencent publish it, rounded to 7 decimals."""
    dlon, dlat = gcj02_offset(lon, lat)
    return np.round(lon + dlon, 7), np.round(lat + dlat, 7)
