"""Geometry of the synthetic city: real-like grid boundaries over Beijing and points placed well inside them.

The grids are geodata/boundaries.py's (make_boundaries, defects=False): irregular polygons of about
VERTICES_PER_GRID vertices each, with wiggly edges digitised once per grid, so neighbours overlap and leave
gaps in metre-scale slivers, as real boundary files do. Everything is vectorised (numpy + shapely 2), so
3,300 grids and 100,000 buildings take seconds. Independent of etl/: the GCJ-02 offset is the published
formula, written out here again.
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "geodata"))
from _demo_geo import metres_per_degree
from boundaries import make_boundaries

Rng = np.random.Generator
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

# The city's centre (WGS-84), in Beijing; 3,300 grids of GRID_M cover about 26 km x 26 km around it.
LON0, LAT0 = 116.40, 39.90
GRID_M = 450.0  # a grid is about GRID_M x GRID_M (0.2 km²); its slivers stay under gridgov load's 500 m² repair limit
VERTICES_PER_GRID = 520  # about (make_boundaries): every grid gets at least MIN_VERTICES
MIN_VERTICES = 500
MIN_EDGE_M = 10.0  # every generated point keeps this distance from its grid's edges (after rounding)
INNER_M = MIN_EDGE_M + 1.0  # points are drawn this far inside: rounding to 7 decimals moves them < 1 cm
COMMUNITY_COLS, COMMUNITY_ROWS = 5, 2  # as many communities as blocks of 5 x 2 grids (about 10 grids each)
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
    """The grids, in grid-code order (make_boundaries numbers them community by community, north row first)."""

    nx: int
    ny: int
    codes: npt.NDArray[np.object_]
    names: npt.NDArray[np.object_]
    community: Ints  # community index of each grid (codes: street = index // 10 + 1, community = index % 10 + 1)
    number: Ints  # 1.. within its community
    polygons: npt.NDArray[np.object_]  # lon/lat, 7 decimals: what grids.geojson carries
    poly_m: npt.NDArray[np.object_]  # the same in plane metres
    inner_m: npt.NDArray[np.object_]  # poly_m shrunk by INNER_M (prepared): where points are drawn
    n_communities: int

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def n_streets(self) -> int:
        """Streets (街道) of COMMUNITIES_PER_STREET communities each, as the grid codes number them."""
        return -(-self.n_communities // COMMUNITIES_PER_STREET)


_CODE = re.compile(r"^\d{6}(\d{3})(\d{3})-(\d{3})$")


def make_grids(rng: Rng, nx: int, ny: int) -> Grids:
    """nx x ny real-like grids (geodata/boundaries.py) around the city's centre, in communities of about 10."""
    n = nx * ny
    communities = -(-nx // COMMUNITY_COLS) * -(-ny // COMMUNITY_ROWS)
    frame = make_boundaries(n, seed=int(rng.integers(2**31)), vertices_per_grid=VERTICES_PER_GRID,
                            origin=(LON0, LAT0), grid_m=GRID_M, communities=communities, defects=False)
    parts = np.array([[int(x) for x in _CODE.match(code).groups()] for code in frame["grid_code"]])  # type: ignore[union-attr]
    community = (parts[:, 0] - 1) * COMMUNITIES_PER_STREET + parts[:, 1] - 1
    polygons = np.asarray(frame.geometry.values, dtype=object)
    x = shapely.transform(polygons, lambda xy: np.column_stack(to_xy(xy[:, 0], xy[:, 1])))
    inner = shapely.buffer(x, -INNER_M)
    shapely.prepare(inner)
    grids = Grids(nx, ny, frame["grid_code"].to_numpy(dtype=object), frame["grid_name"].to_numpy(dtype=object),
                  community.astype(np.int64), parts[:, 2].astype(np.int64), polygons, x, inner,
                  int(community.max()) + 1)
    check_boundaries(grids)
    return grids


def check_boundaries(grids: Grids) -> None:
    """Grids are valid, counter-clockwise, of MIN_VERTICES or more, and overlap or miss each other in slivers only."""
    polys = grids.polygons
    require(bool(shapely.is_valid(polys).all()), "a grid polygon is invalid")
    require(bool(shapely.is_ccw(shapely.get_exterior_ring(polys)).all()), "a grid polygon is clockwise")
    require(int(shapely.get_num_coordinates(polys).min()) >= MIN_VERTICES, f"a grid has under {MIN_VERTICES} vertices")
    require(bool((shapely.area(grids.inner_m) > 0).all()), "a grid is too thin to hold points")
    union = float(shapely.area(shapely.union_all(grids.poly_m)))
    total = float(shapely.area(grids.poly_m).sum())
    require(math.isclose(total, union, rel_tol=1e-2), "grids overlap by more than slivers")


def sample_in_grids(rng: Rng, grids: Grids, per_grid: Ints) -> tuple[Floats, Floats, Ints]:
    """per_grid[g] points on a jittered sub-lattice well inside each grid g: lon, lat (rounded), and their grid."""
    xs: list[Floats] = []
    ys: list[Floats] = []
    for inner, want in zip(grids.inner_m.tolist(), per_grid.tolist(), strict=True):
        if want == 0:
            continue
        west, south, east, north = inner.bounds
        step = math.sqrt(0.75 * inner.area / want)  # at most ~75% of the slots inside are used
        while True:
            gx, gy = np.meshgrid(np.arange(west + step / 2, east, step), np.arange(south + step / 2, north, step))
            px = gx.ravel() + rng.uniform(-0.3, 0.3, gx.size) * step
            py = gy.ravel() + rng.uniform(-0.3, 0.3, gy.size) * step
            inside = np.flatnonzero(shapely.contains_xy(inner, px, py))
            if len(inside) >= want:
                break
            step *= 0.85
        pick = np.sort(rng.choice(inside, want, replace=False))
        xs.append(px[pick])
        ys.append(py[pick])
    cell = np.repeat(np.arange(len(grids)), per_grid)
    lon, lat = to_lonlat(np.concatenate(xs), np.concatenate(ys))
    check_points(grids, cell, lon, lat)
    return lon, lat, cell


def random_points(rng: Rng, grids: Grids, cell: Ints) -> tuple[Floats, Floats]:
    """One random point per entry of `cell`, well inside that grid (drawn in its bounding box until inside)."""
    bounds = shapely.bounds(grids.inner_m)[cell]
    x, y = np.zeros(len(cell)), np.zeros(len(cell))
    todo = np.arange(len(cell))
    while len(todo):
        b = bounds[todo]
        x[todo] = rng.uniform(b[:, 0], b[:, 2])
        y[todo] = rng.uniform(b[:, 1], b[:, 3])
        todo = todo[~shapely.contains_xy(grids.inner_m[cell[todo]], x[todo], y[todo])]
    lon, lat = to_lonlat(x, y)
    check_points(grids, cell, lon, lat)
    return lon, lat


def check_points(grids: Grids, cell: Ints, lon: Floats, lat: Floats) -> None:
    """Each rounded point lies inside its own grid, at least MIN_EDGE_M from its edges (so in no other grid:
    the slivers where neighbours overlap are a few metres wide)."""
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
