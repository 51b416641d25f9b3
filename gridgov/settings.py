"""Settings per concern, each read from its GRIDGOV_* environment variables, and passed down.

An entry point (the CLI, `create_app`, a test) makes one `Settings` and hands
each part to the code of its concern: the database and the private cluster
(`DatabaseSettings`), loading files (`EtlSettings`), the layers' analyses
(`LayerSettings`), the dashboard (`DashboardSettings`) and the OGC API
(`ApiSettings`). Library functions take the part they need as an argument and
never read the environment themselves. The community's calendar (its time zone,
and a "now" pinned for tests and replays) is shared by the parts that count
days, so loading and the layers inherit it from `CommunitySettings` and read it
the same way. Every variable is `GRIDGOV_` and the field's name in capitals, as
listed in the README.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from gridgov.clock import Clock, make_clock

_FROM_ENV = SettingsConfigDict(env_prefix="GRIDGOV_", extra="ignore", frozen=True)


class DatabaseSettings(BaseSettings):
    """Where the data is: a PostgreSQL URL, or the private cluster kept under `home` with the installation's secrets."""

    model_config = _FROM_ENV

    database_url: str | None = Field(
        default=None,
        description="PostgreSQL/PostGIS URL. Unset: a private cluster under `home` is used.",
    )
    home: Path = Field(
        default=Path(".gridgov"),
        description="Where the private cluster and the secrets the installation makes itself (session key, reader password) live.",
    )
    pg_port: int | None = Field(
        default=None,
        description="Port of the private cluster (127.0.0.1 only); unset: a free port from 54329 up, kept once chosen.",
    )


class CommunitySettings(BaseSettings):
    """The community's calendar: the zone its days, weeks and months are counted in, and a pinned now."""

    model_config = _FROM_ENV

    timezone: str = Field(default="Asia/Shanghai", description="Time zone of the community's calendar: days, weeks and months.")
    now: datetime | None = Field(
        default=None,
        description="Pin the community's clock at this instant (ISO date-time; without an offset it is community"
        " time): for tests, a demo made for a given day, or replaying one. Unset: the machine's clock.",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ValueError(f"unknown time zone {value!r}: use an IANA name such as Asia/Shanghai") from err
        return value

    def clock(self) -> Clock:
        """The community's clock: the only source of "now" and "today" (gridgov.clock)."""
        return make_clock(self.timezone, self.now)


class EtlSettings(CommunitySettings):
    """Loading the office's files: parsing, geocoding, and how much of a boundary file's overlap is repaired."""

    parse_workers: int | None = Field(
        default=None,
        description="Worker processes parsing a big file while it loads; unset: 2 from 200,000 rows, else none.",
    )
    geocoder: str = Field(
        default="",
        description="Geocoder for addresses the gazetteer does not know: empty (off), table:PATH, or a plug-in name.",
    )
    grid_overlap_max_m2: float = Field(
        default=500.0, gt=0,
        description="A grid file's overlap between two grids is repaired (given to the lower grid code) only up to"
        " this area in m², and only up to grid_overlap_max_share of the smaller grid; above either, the file is refused.",
    )
    grid_overlap_max_share: float = Field(
        default=0.01, gt=0, le=1,
        description="The largest overlap repaired, as a share of the smaller of the two grids (0.01 = 1%).",
    )


class LayerSettings(CommunitySettings):
    """The layers' analyses: the rates' parameters, the hot spots' inference, the longest windows, data age."""

    stale_days: float = Field(
        default=3.0,
        gt=0,
        description="A source (work orders, hazards, visits) whose newest record is older than this many days is"
        " shown as out of date.",
    )
    response_limit_hours: float = Field(
        default=2.0, gt=0, description="A work order counts as responded in time within this many hours of receipt."
    )
    basically_satisfied_weight: float = Field(
        default=1.0, ge=0, le=1, description="Weight of 基本满意 in the satisfaction rate (0.9 is a common local choice)."
    )
    hotspot_permutations: int = Field(default=999, ge=99, description="Permutations of the Gi* hot-spot inference.")
    hotspot_seed: int = Field(default=12345, description="Random seed of the Gi* permutations: the same data gives the same map.")
    emerging_max_weeks: int = Field(
        default=104, ge=3, description="Most weeks an emerging hot spot analysis by week may span (a longer window is refused)."
    )
    emerging_max_months: int = Field(
        default=60, ge=3, description="Most months an emerging hot spot analysis by month may span (a longer window is refused)."
    )
    filter_years: int = Field(
        default=30, ge=1, le=100,
        description="Dates a question filters on (from, to, as_of: a data URL, download, callback or `gridgov export`)"
        " must lie no later than 31 December this many years after today's year; as_of also no earlier than"
        " 1 January as many years before.",
    )


class DashboardSettings(BaseSettings):
    """The dashboard's server, sessions, maps and wall screen."""

    model_config = _FROM_ENV

    host: str = Field(default="127.0.0.1", description="Address the dashboard listens on.")
    port: int = Field(default=8050, description="Port the dashboard listens on.")
    serve_threads: int = Field(
        default_factory=lambda: 2 * (os.cpu_count() or 2),
        ge=1,
        description="Requests the dashboard answers at once (default: two per CPU; bench/RESULTS.md shows why).",
    )
    serve_connections: int = Field(
        default=1000,
        ge=10,
        description="Open client connections the dashboard keeps at once (every phone keeps one alive; bench/RESULTS.md).",
    )
    proxy_hops: int = Field(
        default=0,
        ge=0,
        description="Reverse proxies in front of the dashboard whose X-Forwarded-For/-Proto/-Host to trust (0: none).",
    )
    tile_url: str = Field(
        default="",
        description="Map tile URL template ({z}/{x}/{y}); empty draws vector layers only.",
    )
    tile_attribution: str = Field(default="", description="Attribution shown for the tiles.")
    statement_timeout_seconds: float = Field(
        default=30.0, gt=0,
        description="Longest any one SQL statement of a dashboard request may run; the database stops it after"
        " this (the request answers 503).",
    )
    max_body_bytes: int = Field(
        default=1_048_576, ge=16_384,
        description="Largest request body the dashboard reads (a callback, the sign-in form); a larger one is a 413.",
    )
    max_filter_grids: int = Field(
        default=5_000, ge=1,
        description="Most grids one data URL, download or callback may name (a city has a few thousand).",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Signs the dashboard's session cookies (at least 32 characters). Unset: refused, except for the"
        " private local cluster, which makes one and keeps it in `home`/secret_key (mode 600).",
    )
    secure_cookies: bool = Field(default=False, description="Send the session cookie over HTTPS only (behind TLS).")
    session_hours: float = Field(
        default=12.0, gt=0,
        description="Idle lifetime of a sign-in: it ends this many hours after its last request (each request moves"
        " the end forward, never past session_max_hours).",
    )
    session_max_hours: float = Field(
        default=24.0, gt=0,
        description="Absolute lifetime of a sign-in: it ends this many hours after signing in, however much it is used.",
    )
    wall_device_days: float = Field(
        default=365.0, gt=0,
        description="How long a wall device's sign-in (`gridgov wall-device add`) lasts before the administrator"
        " must make a new one; revoking it ends it at once.",
    )
    unit_link_days: float = Field(
        default=7.0, gt=0, le=90,
        description="How long a unit's single-case link (/unit/<token>, made when a case is escalated to it) lasts.",
    )
    wall_playlist: str = Field(
        default="special_groups,complaint_hotspots,emerging_hotspots,hazards",
        description="Layers the wall screen (/wall) shows in turn, comma-separated layer names, in order.",
    )
    wall_rotate_seconds: int = Field(default=20, ge=1, description="Seconds the wall screen shows each layer of its playlist.")
    wall_refresh_seconds: int = Field(default=60, ge=1, description="Seconds between the wall screen's data refreshes.")
    rank_weight_hazards_overdue: float = Field(
        default=3.0, ge=0, le=1000, description="Points per overdue hazard in the wall's ranking (layers/ranking.py)."
    )
    rank_weight_visits_overdue: float = Field(
        default=1.0, ge=0, le=1000,
        description="Points per household that missed last period's visit in the wall's ranking.",
    )
    rank_weight_hotspot: float = Field(
        default=1.0, ge=0, le=1000, description="Points per level (1–3) of a complaint hot spot in the wall's ranking."
    )
    rank_weight_early_warning: float = Field(
        default=2.0, ge=0, le=1000, description="Points for an emerging hot spot's early warning in the wall's ranking."
    )


class ApiSettings(BaseSettings):
    """The OGC API – Features endpoint (`gridgov api`)."""

    model_config = _FROM_ENV

    host: str = Field(default="127.0.0.1", description="Address the OGC API listens on (the dashboard's GRIDGOV_HOST).")
    api_port: int = Field(default=8081, description="Port the OGC API – Features endpoint (`gridgov api`) listens on.")


@dataclass(frozen=True)
class Settings:
    """An installation's settings, one part per concern; `Settings()` reads every part from the environment."""

    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    etl: EtlSettings = field(default_factory=EtlSettings)
    layers: LayerSettings = field(default_factory=LayerSettings)
    dashboard: DashboardSettings = field(default_factory=DashboardSettings)
    api: ApiSettings = field(default_factory=ApiSettings)
