"""SYNTHETIC, real-like grid boundary files: what a surveying bureau's file or a QGIS digitisation looks like.

    .venv/bin/python geodata/boundaries.py --grids 300 --vertices 1000 -o /tmp/real/grids.geojson
    from geodata.boundaries import make_boundaries   # or, with geodata/ on sys.path: from boundaries import ...

Grids are the cells of a Voronoi tessellation of jittered lattice points (about `grid_m` apart), so they
are irregular polygons with 4 to 8 sides. Every edge is a wiggly line, the sum of sine modes of falling
amplitude (a fractal, Weierstrass-like curve), with about `vertices_per_grid` vertices per grid, none of
it straight. Each edge two grids share is digitised twice, once per grid, as offices do it: the two
copies follow the same line with small independent slips of a metre or two, so neighbours overlap in
slivers (mostly 1–300 m² each) and leave sliver gaps of the same size. The outer boundary of the whole
area is digitised once.

With `defects=True` the file also has what real files have: one grid whose ring crosses itself at a
corner (a bow-tie), a grid with an enclave (a piece inside its neighbour, which has a hole there), a grid
with an island (a piece outside the area), a park and a river inside communities that belong to no
grid (holes), and a community made of two separate pieces (a grid of it among another community's grids).
A defect that finds no place (too few grids or communities) is left out; `gdf.attrs["defects"]` names the
grid of each one there.

Deterministic for a given seed (one random stream per concern). Vectorised with numpy and shapely 2:
3,300 grids x 500 vertices take a few seconds. Every name is made up (社区 names start with 模拟,
"simulated"); the file written by the CLI says SYNTHETIC in its name.
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import Voronoi

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _demo_geo import metres_per_degree

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

DISTRICT = "110105"  # 朝阳区, as the demo; codes are {district}{street:03d}{community:03d}-{grid:03d}
COMMUNITIES_PER_STREET = 10
GRIDS_PER_COMMUNITY = 10  # when `communities` is not given
JITTER = 0.3  # lattice points move up to this share of grid_m in x and in y
SHAPE_AMPLITUDE = 0.02  # an edge's wiggle (shared by both copies): mode-1 amplitude as a share of its length
SHAPE_MODES = 24  # amplitude of mode k falls as 1/k: a Brownian-like, fractal line
SLIP_M = 0.6  # one copy's disagreement with the line (metres, amplitude of its longest mode; at most 2% of a short edge)
SLIP_MODES = (3, 24)  # modes k = 3..24, amplitude falling as 1/sqrt(k): slivers from a few metres to a third of an edge long
TAPER_M = 10.0  # every edge leaves its corners along its chord for about this far: no ring crosses itself there
_SEEDS = {"layout": 1, "edges": 2, "defects": 3}


def make_boundaries(
    n_grids: int,
    *,
    seed: int = 0,
    vertices_per_grid: int = 1000,
    origin: tuple[float, float] = (116.40, 39.90),
    grid_m: float = 400.0,
    communities: int | None = None,
    defects: bool = True,
) -> gpd.GeoDataFrame:
    """SYNTHETIC real-like grid boundaries: grid_code, grid_name, community_name, geometry (EPSG:4326).

    `origin` is the lon/lat of the area's centre; `grid_m` the spacing of the grids (a grid is about
    grid_m x grid_m); `communities` defaults to one per 10 grids. Rows are in grid-code order.
    """
    if n_grids < 1:
        raise ValueError("n_grids must be at least 1")
    if vertices_per_grid < 16:
        raise ValueError("vertices_per_grid must be at least 16")
    n_comm = max(1, min(n_grids, communities if communities else round(n_grids / GRIDS_PER_COMMUNITY)))
    layout = _layout(n_grids, grid_m, np.random.default_rng([seed, _SEEDS["layout"]]))
    community = _communities(layout, n_comm)
    polys, corners = _grid_polygons(layout, vertices_per_grid, np.random.default_rng([seed, _SEEDS["edges"]]))
    found: dict[str, int] = {}
    if defects:
        found = _add_defects(layout, community, polys, corners, vertices_per_grid, grid_m,
                             np.random.default_rng([seed, _SEEDS["defects"]]))
    codes, names, community_names = _names(layout, community)
    geoms = _to_lonlat(polys, origin)
    gdf = gpd.GeoDataFrame(
        {"grid_code": codes, "grid_name": names, "community_name": community_names},
        geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"),
    ).sort_values("grid_code", ignore_index=True)
    gdf.attrs["synthetic"] = "SYNTHETIC boundaries from geodata/boundaries.py; not a real place"
    gdf.attrs["defects"] = {defect: codes[g] for defect, g in found.items()}  # which grid carries which defect
    return gdf


# -- layout: jittered lattice points and their Voronoi cells --------------------------------------------------
@dataclass
class _Layout:
    n: int
    cols: int
    rows: int
    col: Ints  # lattice column and row of each real grid (row 0 in the south)
    row: Ints
    vor: Voronoi  # of the real points (first n) and a ring of guard points around them
    ridges: Ints  # (R, 2) the Voronoi vertices of each edge with at least one real side
    sides: Ints  # (R, 2) the points on either side (>= n: a guard, i.e. outside the area)
    adjacency: list[set[int]]  # real neighbours of each real grid


def _layout(n: int, grid_m: float, rng: np.random.Generator) -> _Layout:
    cols = math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    row, col = np.divmod(np.arange(n), cols)
    # guards: the lattice positions around the grids' (and those the last row leaves free), so every
    # grid's Voronoi cell is closed; the edges between grids and guards are the area's outline
    gc, gr = (a.ravel() for a in np.meshgrid(np.arange(-1, cols + 1), np.arange(-1, rows + 1)))
    real = (gc >= 0) & (gc < cols) & (gr >= 0) & (gr < rows) & (gr * cols + gc < n)
    c = np.concatenate([col, gc[~real]])
    r = np.concatenate([row, gr[~real]])
    xy = np.column_stack([(c - (cols - 1) / 2) * grid_m, (r - (rows - 1) / 2) * grid_m])
    xy += rng.uniform(-JITTER, JITTER, xy.shape) * grid_m
    vor = Voronoi(xy)
    sides = np.asarray(vor.ridge_points, dtype=np.int64)
    ridges = np.asarray(vor.ridge_vertices, dtype=np.int64)
    keep = sides.min(axis=1) < n
    sides, ridges = sides[keep], ridges[keep]
    if (ridges < 0).any():
        raise RuntimeError("a real grid's Voronoi cell is open")  # guards surround every real point
    adjacency: list[set[int]] = [set() for _ in range(n)]
    for a, b in sides[sides.max(axis=1) < n]:
        adjacency[a].add(int(b))
        adjacency[b].add(int(a))
    return _Layout(n, cols, rows, col.astype(np.int64), row.astype(np.int64), vor, ridges, sides, adjacency)


def _communities(layout: _Layout, n_comm: int) -> Ints:
    """Contiguous, roughly square communities: cut a snake through strips of lattice rows into n_comm runs."""
    per = layout.n / n_comm
    height = max(1, round(math.sqrt(per)))
    strip = layout.row // height
    col = np.where(strip % 2 == 0, layout.col, -layout.col)  # strips snake east, then west: runs stay adjacent
    row = np.where(col % 2 == 0, layout.row, -layout.row)  # and columns snake north, then south
    order = np.lexsort((row, col, strip))
    community = np.empty(layout.n, dtype=np.int64)
    for k, part in enumerate(np.array_split(order, n_comm)):
        community[part] = k
    _make_contiguous(layout, community)
    return community


def _make_contiguous(layout: _Layout, community: Ints) -> None:
    """A jittered lattice may leave a run's cells touching only at a corner: give stray cells to a neighbour."""
    for _ in range(layout.n):
        moved = False
        for k in np.unique(community):
            members = np.flatnonzero(community == k)
            parts = _components(layout, members)
            if parts.max() == 0:
                continue
            main = np.bincount(parts).argmax()
            for g in members[parts != main]:
                others = [community[b] for b in sorted(layout.adjacency[g]) if community[b] != k]
                if others:
                    community[g] = others[0]
                    moved = True
        if not moved:
            return


def _components(layout: _Layout, members: Ints) -> Ints:
    """Connected components (by shared edges) of a set of grids, one label per member."""
    index = {int(g): i for i, g in enumerate(members)}
    pairs = [(index[int(a)], index[b]) for a in members for b in layout.adjacency[int(a)] if b in index]
    if not pairs:
        return np.arange(len(members))
    i, j = np.array(pairs).T
    graph = coo_matrix((np.ones(len(i)), (i, j)), shape=(len(members), len(members)))
    return np.asarray(connected_components(graph, directed=False)[1], dtype=np.int64)


# -- edges: one wiggly line per shared edge, digitised once per grid ------------------------------------------
def _sine_series(t: Floats, coeffs: Floats, line: Ints) -> Floats:
    """sum_k coeffs[line, k-1] * sin(pi k t): point i on line[i] (sines by recurrence, a column at a time)."""
    x = np.pi * t
    two_cos = 2.0 * np.cos(x)
    s_prev, s = np.zeros_like(x), np.sin(x)
    out = coeffs[:, 0][line] * s
    for k in range(1, coeffs.shape[1]):
        s_prev, s = s, two_cos * s - s_prev
        out += coeffs[:, k][line] * s
    return out


def _grid_polygons(layout: _Layout, vertices: int, rng: np.random.Generator) -> tuple[list[shapely.Geometry], list[Ints]]:
    """Each grid's polygon (plane metres) and where its corners sit in its ring."""
    n, vor, ridges, sides = layout.n, layout.vor, layout.ridges, layout.sides
    nodes = np.asarray(vor.vertices, dtype=np.float64)
    a, b = nodes[ridges[:, 0]], nodes[ridges[:, 1]]
    length = np.hypot(*(b - a).T)
    unit = (b - a) / length[:, None]
    normal = np.column_stack([-unit[:, 1], unit[:, 0]])
    # copies: one per ridge and real side (a ridge on the area's outline has one)
    copy_ridge = np.concatenate([np.flatnonzero(sides[:, 0] < n), np.flatnonzero(sides[:, 1] < n)])
    copy_grid = np.concatenate([sides[sides[:, 0] < n, 0], sides[sides[:, 1] < n, 1]])
    perimeter = np.bincount(copy_grid, weights=length[copy_ridge], minlength=n)
    count = np.maximum(1, np.round(length[copy_ridge] / perimeter[copy_grid] * vertices).astype(np.int64) - 1)
    start = np.concatenate([[0], np.cumsum(count)[:-1]])
    total = int(count.sum())
    of_copy = np.repeat(np.arange(len(count)), count)
    j = np.arange(total) - start[of_copy]
    t = (j + 1 + rng.uniform(-0.35, 0.35, total)) / (count[of_copy] + 1)  # uneven spacing, as clicked
    shape = rng.standard_normal((len(ridges), SHAPE_MODES)) / np.arange(1, SHAPE_MODES + 1)
    slip = rng.standard_normal((len(count), SLIP_MODES[1])) * np.sqrt(SLIP_MODES[0] / np.arange(1, SLIP_MODES[1] + 1))
    slip[:, : SLIP_MODES[0] - 1] = 0.0
    ridge = copy_ridge[of_copy]
    dist = t * length[ridge]
    tau = np.minimum(TAPER_M, 0.25 * length[ridge])
    taper = np.clip(dist / tau, 0, 1) * np.clip((length[ridge] - dist) / tau, 0, 1)
    scale = np.ones(len(ridges))  # halved for the edges of a grid whose ring still crosses itself
    regions = [vor.regions[vor.point_region[g]] for g in range(n)]
    where = {(int(r0), int(r1)): k for k, (r0, r1) in enumerate(ridges)}
    copy_of = {(int(r), int(g)): k for k, (r, g) in enumerate(zip(copy_ridge, copy_grid, strict=True))}
    for attempt in range(8):
        s = scale[ridge] if attempt < 7 else np.zeros(total)
        offset = taper * s * (
            SHAPE_AMPLITUDE * length[ridge] * _sine_series(t, shape, ridge)
            + np.minimum(SLIP_M, 0.02 * length[ridge]) * _sine_series(t, slip, of_copy)
        )
        points = a[ridge] + dist[:, None] * unit[ridge] + offset[:, None] * normal[ridge]
        polys, corners = _rings(regions, where, copy_of, ridges, start, count, nodes, points)
        bad = np.flatnonzero(~shapely.is_valid(np.asarray(polys, dtype=object)))
        if not len(bad):
            return polys, corners
        for g in bad:
            scale[[copy_ridge[k] for (_, gg), k in copy_of.items() if gg == g]] *= 0.5
    raise RuntimeError("could not draw valid grid rings")


def _rings(
    regions: list[list[int]], where: dict[tuple[int, int], int], copy_of: dict[tuple[int, int], int],
    ridges: Ints, start: Ints, count: Ints, nodes: Floats, points: Floats,
) -> tuple[list[shapely.Geometry], list[Ints]]:
    """Each grid's ring: around its Voronoi region, a corner, then its own copy of the edge to the next corner."""
    base = len(nodes)
    pieces: list[Ints] = []
    ring_of: list[Ints] = []
    corners: list[Ints] = []
    for g, region in enumerate(regions):
        parts: list[Ints] = []
        at: list[int] = []
        size = 0
        for u, v in zip(region, region[1:] + region[:1], strict=True):
            r = where.get((u, v), where.get((v, u)))
            assert r is not None
            k = copy_of[(r, g)]
            idx = base + start[k] + np.arange(count[k])
            if ridges[r, 0] != u:
                idx = idx[::-1]
            at.append(size)
            parts.append(np.concatenate([[u], idx]))
            size += 1 + len(idx)
        ring = np.concatenate(parts)
        pieces.append(ring)
        ring_of.append(np.full(len(ring), g))
        corners.append(np.asarray(at, dtype=np.int64))
    coords = np.concatenate([nodes, points])[np.concatenate(pieces)]
    rings = shapely.linearrings(coords, indices=np.concatenate(ring_of))
    polys = shapely.orient_polygons(shapely.polygons(rings))
    # orienting may have reversed a ring: its corners then count from the other end
    flipped = ~shapely.is_ccw(rings)
    corners = [(len(p) - c) % len(p) if f else c for c, p, f in zip(corners, pieces, flipped, strict=True)]
    return list(polys), corners


# -- defects of real files ------------------------------------------------------------------------------------
def _blob(centre: tuple[float, float], radius: float, vertices: int, rng: np.random.Generator) -> shapely.Geometry:
    """An irregular closed shape (a park, a pond, an island): a wobbly circle."""
    theta = np.linspace(0, 2 * np.pi, max(24, vertices), endpoint=False)
    k = np.arange(2, 9)
    amp = rng.uniform(0, 0.12, len(k)) / k * 2
    phase = rng.uniform(0, 2 * np.pi, len(k))
    r = radius * (1 + (amp[:, None] * np.cos(k[:, None] * theta + phase[:, None])).sum(axis=0))
    return shapely.Polygon(np.column_stack([centre[0] + r * np.cos(theta), centre[1] + r * np.sin(theta)]))


def _inside(poly: shapely.Geometry, margin: float) -> shapely.Geometry:
    """What lies `margin` metres inside a grid (its own sliver gaps closed first)."""
    return poly.buffer(margin / 2).buffer(-1.5 * margin)


def _add_defects(
    layout: _Layout, community: Ints, polys: list[shapely.Geometry], corners: list[Ints], vertices: int,
    grid_m: float, rng: np.random.Generator,
) -> dict[str, int]:
    """Put each defect into a grid chosen at random among those it fits; returns {defect: grid index}."""
    n = layout.n
    taken: set[int] = set()
    found: dict[str, int] = {}
    outline = {int(g) for g in layout.sides[layout.sides.max(axis=1) >= n].min(axis=1)}
    free = [g for g in rng.permutation(n).tolist() if g not in outline]
    rest = [g for g in rng.permutation(n).tolist() if g in outline]

    def pick(cands: list[int]) -> int | None:
        return next((g for g in cands if g not in taken), None)

    # a community of two separate pieces: a grid among another community's grids, away from its own
    for g in free + rest:
        if g in taken or len(np.unique(community)) < 2:
            break
        own = community[g]
        members = np.flatnonzero(community == own)
        if len(members) < 3 or _components(layout, members[members != g]).max() > 0:
            continue
        far = [k for k in np.unique(community) if k != own and all(community[b] != k for b in layout.adjacency[g])]
        if far:
            community[g] = far[int(rng.integers(len(far)))]
            taken.add(g)
            found["community_in_two_pieces"] = g
            break
    # a park: a hole in a grid that belongs to no grid
    if (g := pick(free + rest)) is not None:
        room = _inside(polys[g], 15.0)
        c = room.representative_point()
        park = _blob((c.x, c.y), 0.12 * grid_m, vertices // 5, rng).intersection(room)
        if park.area > 0.005 * polys[g].area:
            polys[g] = polys[g].difference(park)
            taken.add(g)
            found["park"] = g
    # a river: a meandering band across the edge between two grids of one community, inside both
    for g in free:
        pair = [b for b in sorted(layout.adjacency[g]) if b not in taken and b not in outline
                and community[b] == community[g]]
        if g in taken or not pair:
            continue
        h = pair[0]
        room = _inside(polys[g].union(polys[h]), 15.0)
        p, q = polys[g].centroid, polys[h].centroid
        s = np.linspace(0.2, 0.8, 200)
        dx, dy = q.x - p.x, q.y - p.y
        bend = 0.08 * np.sin(2 * np.pi * s * 1.5 + rng.uniform(0, np.pi))
        line = shapely.LineString(np.column_stack([p.x + s * dx - bend * dy, p.y + s * dy + bend * dx]))
        river = line.buffer(0.03 * grid_m, quad_segs=8)
        if room.contains(river):
            polys[g], polys[h] = polys[g].difference(river), polys[h].difference(river)
            taken.update((g, h))
            found["river"] = g
            break
    # an enclave: a piece of one grid inside its neighbour of the same community (which has a hole there)
    for g in free + rest:
        pair = [b for b in sorted(layout.adjacency[g]) if b not in taken and community[b] == community[g]]
        if g in taken or not pair:
            continue
        room = _inside(polys[g], 15.0)
        c = room.representative_point()
        enclave = _blob((c.x, c.y), 0.08 * grid_m, vertices // 8, rng)
        if room.contains(enclave):
            polys[g] = polys[g].difference(enclave)
            polys[pair[0]] = shapely.MultiPolygon([*_parts(polys[pair[0]]), enclave])
            taken.update((g, pair[0]))
            found["enclave"] = pair[0]
            break
    # an island: a piece of a grid on the outline, out beyond the area
    centre = np.mean([p.centroid.coords[0] for p in polys], axis=0)
    everything = shapely.STRtree(polys)
    for g in rest:
        if g in taken:
            continue
        c = np.asarray(polys[g].centroid.coords[0])
        away = (c - centre) / max(np.hypot(*(c - centre)), 1e-9)
        reach = max(float(np.dot(np.asarray(polys[g].exterior.coords) - c, away).max()), 0.0)
        spot = c + away * (reach + 0.25 * grid_m)
        island = _blob((float(spot[0]), float(spot[1])), 0.1 * grid_m, vertices // 6, rng)
        if not len(everything.query(island.buffer(20.0), predicate="intersects")):
            polys[g] = shapely.MultiPolygon([*_parts(polys[g]), island])
            taken.add(g)
            found["island"] = g
            break
    # a bow-tie: the vertices around one corner in reverse order, so the ring crosses itself there
    if (g := pick(free + rest)) is not None and isinstance(polys[g], shapely.Polygon):
        ring = np.asarray(polys[g].exterior.coords)[:-1]
        corner = int(corners[g][int(rng.integers(len(corners[g])))])
        k = max(3, len(ring) // 25)
        idx = (np.arange(corner - k, corner + k + 1)) % len(ring)
        ring[idx] = ring[idx[::-1]]
        bowtie = shapely.Polygon(ring, [np.asarray(i.coords) for i in polys[g].interiors])
        if not bowtie.is_valid:
            polys[g] = bowtie
            taken.add(g)
            found["bowtie"] = g
    return found


def _parts(geom: shapely.Geometry) -> list[shapely.Geometry]:
    return list(geom.geoms) if isinstance(geom, shapely.MultiPolygon) else [geom]


# -- names and coordinates --------------------------------------------------------------------------------------
_DIGITS = "零一二三四五六七八九"


def cn_number(k: int) -> str:
    """1..999 in Chinese numerals (十二, 一百零五)."""
    if k < 10:
        return _DIGITS[k]
    if k < 20:
        return "十" + (_DIGITS[k % 10] if k % 10 else "")
    if k < 100:
        return _DIGITS[k // 10] + "十" + (_DIGITS[k % 10] if k % 10 else "")
    rest = k % 100
    tail = "" if rest == 0 else ("零" + _DIGITS[rest] if rest < 10 else ("一" + cn_number(rest) if rest < 20 else cn_number(rest)))
    return _DIGITS[k // 100] + "百" + tail


def _names(layout: _Layout, community: Ints) -> tuple[list[str], list[str], list[str]]:
    """Codes {district}{street}{community}-{grid}, numbered north row first, west to east, as in the demo."""
    order = np.unique(community)  # communities keep the order of the snake
    codes, names, comms = [""] * layout.n, [""] * layout.n, [""] * layout.n
    for k, c in enumerate(order):
        members = np.flatnonzero(community == c)
        members = members[np.lexsort((layout.col[members], -layout.row[members]))]
        street, in_street = k // COMMUNITIES_PER_STREET + 1, k % COMMUNITIES_PER_STREET + 1
        for number, g in enumerate(members, start=1):
            codes[g] = f"{DISTRICT}{street:03d}{in_street:03d}-{number:03d}"
            names[g] = f"第{cn_number(number)}网格"
            comms[g] = f"模拟{cn_number(k + 1)}社区" if k < 999 else f"模拟{k + 1}社区"
    return codes, names, comms


def _to_lonlat(polys: list[shapely.Geometry], origin: tuple[float, float]) -> npt.NDArray[np.object_]:
    """Plane metres around `origin` to lon/lat rounded to 7 decimals (1 cm), as files carry them."""
    kx, ky = metres_per_degree(origin[1])
    scale = np.array([1 / kx, 1 / ky])
    shift = np.asarray(origin, dtype=np.float64)
    return shapely.transform(np.asarray(polys, dtype=object), lambda xy: np.round(shift + xy * scale, 7))


def write_boundaries(gdf: gpd.GeoDataFrame, path: Path) -> None:
    """Write as an office's file: Chinese headers (网格编码, 网格名称, 社区名称), 7 decimals; GeoJSON or GeoPackage."""
    if path.suffix.lower() not in (".geojson", ".json", ".gpkg"):
        raise ValueError(f"{path.name}: write .geojson or .gpkg")
    out = gdf.rename(columns={"grid_code": "网格编码", "grid_name": "网格名称", "community_name": "社区名称"})
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    options = {"COORDINATE_PRECISION": 7} if path.suffix.lower() in (".geojson", ".json") else {}
    out.to_file(path, engine="pyogrio", layer="grids_SYNTHETIC", layer_options=options or None)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write SYNTHETIC real-like grid boundaries (see the module docstring).")
    parser.add_argument("-o", "--out", type=Path, required=True, help="grids.geojson or grids.gpkg")
    parser.add_argument("--grids", type=int, default=300)
    parser.add_argument("--vertices", type=int, default=1000, help="vertices per grid, about")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--grid-m", type=float, default=400.0)
    parser.add_argument("--communities", type=int, default=None)
    parser.add_argument("--origin", type=float, nargs=2, default=(116.40, 39.90), metavar=("LON", "LAT"))
    parser.add_argument("--clean", action="store_true", help="no defects: only the slivers of double digitising")
    args = parser.parse_args(argv)
    gdf = make_boundaries(args.grids, seed=args.seed, vertices_per_grid=args.vertices, origin=tuple(args.origin),
                          grid_m=args.grid_m, communities=args.communities, defects=not args.clean)
    write_boundaries(gdf, args.out)
    print(f"wrote {len(gdf)} SYNTHETIC grids to {args.out}; defects: {gdf.attrs['defects'] or 'none'}")


if __name__ == "__main__":
    main()
