"""One typed settings object, read from GRIDGOV_* environment variables."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything configurable about a gridgov installation."""

    model_config = SettingsConfigDict(env_prefix="GRIDGOV_", extra="ignore")

    database_url: str | None = Field(
        default=None,
        description="PostgreSQL/PostGIS URL. Unset: a private cluster under `home` is used.",
    )
    home: Path = Field(default=Path(".gridgov"), description="Where the private cluster lives.")
    pg_port: int | None = Field(
        default=None,
        description="Port of the private cluster (127.0.0.1 only); unset: a free port from 54329 up, kept once chosen.",
    )
    host: str = Field(default="127.0.0.1", description="Address the dashboard listens on.")
    port: int = Field(default=8050, description="Port the dashboard listens on.")
    serve_threads: int = Field(
        default_factory=lambda: 2 * (os.cpu_count() or 2),
        ge=1,
        description="Requests the dashboard answers at once (default: two per CPU; bench/RESULTS.md shows why).",
    )
    proxy_hops: int = Field(
        default=0,
        ge=0,
        description="Reverse proxies in front of the dashboard whose X-Forwarded-For/-Proto/-Host to trust (0: none).",
    )
    api_port: int = Field(default=8081, description="Port the OGC API – Features endpoint (`gridgov api`) listens on.")
    tile_url: str = Field(
        default="",
        description="Map tile URL template ({z}/{x}/{y}); empty draws vector layers only.",
    )
    parse_workers: int | None = Field(
        default=None,
        description="Worker processes parsing a big file while it loads; unset: 2 from 200,000 rows, else none.",
    )
    geocoder: str = Field(
        default="",
        description="Geocoder for addresses the gazetteer does not know: empty (off), table:PATH, or a plug-in name.",
    )
    tile_attribution: str = Field(default="", description="Attribution shown for the tiles.")
    timezone: str = Field(default="Asia/Shanghai", description="Time zone of the community's calendar: days, weeks and months.")
    response_limit_hours: float = Field(
        default=2.0, gt=0, description="A work order counts as responded in time within this many hours of receipt."
    )
    basically_satisfied_weight: float = Field(
        default=1.0, ge=0, le=1, description="Weight of 基本满意 in the satisfaction rate (0.9 is a common local choice)."
    )
    hotspot_permutations: int = Field(default=999, ge=99, description="Permutations of the Gi* hot-spot inference.")
    hotspot_seed: int = Field(default=12345, description="Random seed of the Gi* permutations: the same data gives the same map.")
    secret_key: SecretStr | None = Field(
        default=None,
        description="Signs the dashboard's session cookies (at least 32 characters). Unset: refused, except for the"
        " private local cluster, which makes one and keeps it in `home`/secret_key (mode 600).",
    )
    secure_cookies: bool = Field(default=False, description="Send the session cookie over HTTPS only (behind TLS).")
    session_hours: float = Field(default=12.0, gt=0, description="How long a sign-in lasts.")
    wall_playlist: str = Field(
        default="special_groups,complaint_hotspots,emerging_hotspots,hazards",
        description="Layers the wall screen (/wall) shows in turn, comma-separated layer names, in order.",
    )
    wall_rotate_seconds: int = Field(default=20, ge=1, description="Seconds the wall screen shows each layer of its playlist.")
    wall_refresh_seconds: int = Field(default=60, ge=1, description="Seconds between the wall screen's data refreshes.")
