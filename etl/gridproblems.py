"""What the grid check finds in a boundary file: each problem, where it is, and what the load did about it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gridgov.errors import InputError
from gridgov.settings import EtlSettings

# Repaired, and loaded: listed so the office can fix the source.
REPAIRED_INVALID = "repaired_invalid"  # a ring crossing itself, made valid
REPAIRED_OVERLAP = "repaired_overlap"  # a sliver two grids both claimed, given to the lower code
# Loaded as they are.
WARNING_GAP = "warning_gap"  # a sliver between neighbours that neither claims (below the overlap tolerance)
WARNING_HOLE = "warning_hole"  # land inside a community in no grid: a river, a park
WARNING_PIECES = "warning_pieces"  # a community in separate pieces: an island, an exclave
# Refuse the file (strict mode turns every kind above into its error_ twin).
ERROR_OVERLAP = "error_overlap"
ERROR_DUPLICATE = "error_duplicate_code"
ERROR_EMPTY = "error_empty"
ERROR_INVALID = "error_invalid"
ERROR_GAP = "error_gap"
ERROR_PIECES = "error_pieces"

REFUSED = "none: nothing was loaded"

_SETTINGS = EtlSettings.model_fields


@dataclass(frozen=True)
class GridRules:
    """How a grid file is judged: repair what is safely repairable and warn (default), or refuse on any problem."""

    strict: bool = False
    # an overlap is repaired only when it is at most this many m² AND this share of the smaller grid
    overlap_max_m2: float = _SETTINGS["grid_overlap_max_m2"].default
    overlap_max_share: float = _SETTINGS["grid_overlap_max_share"].default

    @classmethod
    def from_settings(cls, settings: EtlSettings, *, strict: bool = False) -> GridRules:
        return cls(strict=strict, overlap_max_m2=settings.grid_overlap_max_m2,
                   overlap_max_share=settings.grid_overlap_max_share)

    def repairable(self, area_m2: float, smaller_grid_m2: float) -> bool:
        """Small enough to give to one grid without asking anybody."""
        return area_m2 <= self.overlap_max_m2 and area_m2 <= self.overlap_max_share * smaller_grid_m2

    def tolerance(self) -> str:
        return f"{self.overlap_max_m2:,.0f} m² and {self.overlap_max_share:.1%} of the smaller grid"


@dataclass
class GridProblem:
    """One problem of a grid file at one place (lon/lat WGS-84, None when the feature has no geometry)."""

    kind: str
    message: str  # what and where, for a clerk
    action: str  # what the load did about it
    grids: tuple[str, ...] = ()
    area_m2: float | None = None
    lon: float | None = None
    lat: float | None = None
    community: str | None = None
    source_file: str = ""

    @property
    def severity(self) -> str:
        """repaired, warning or error."""
        return self.kind.split("_", 1)[0]


class GridsRefused(InputError):
    """A grid file refused whole; `problems` are all that the check found, errors and the rest, for the report."""

    def __init__(self, message: str, problems: Sequence[GridProblem]) -> None:
        super().__init__(message)
        self.problems = list(problems)


def location(lon: float | None, lat: float | None) -> str:
    return f" around {lon:.6f}, {lat:.6f}" if lon is not None and lat is not None else ""
