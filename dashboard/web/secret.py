"""The key that signs session cookies: GRIDGOV_SECRET_KEY, or for the private local cluster one kept in GRIDGOV_HOME.

An installation on its own database (GRIDGOV_DATABASE_URL set) must be given
the key: several app processes must share it, and it must survive restarts.
The local demo, on the private cluster, makes one at first start and keeps it
in GRIDGOV_HOME/secret_key (mode 600; GRIDGOV_HOME is git-ignored).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from gridgov.errors import SetupError
from gridgov.settings import Settings

MIN_LENGTH = 32


def session_secret(settings: Settings) -> str:
    """The configured key, the local demo's kept key (made on first use), or a SetupError."""
    if settings.dashboard.secret_key is not None:
        key = settings.dashboard.secret_key.get_secret_value()
        if len(key) < MIN_LENGTH:
            raise SetupError(f"GRIDGOV_SECRET_KEY is too short: use at least {MIN_LENGTH} random characters")
        return key
    if settings.database.database_url:
        raise SetupError(
            "set GRIDGOV_SECRET_KEY to a long random value (it signs the session cookies), e.g. "
            "`python3 -c 'import secrets; print(secrets.token_urlsafe(48))'`"
        )
    return _kept_key(Path(settings.database.home) / "secret_key")


def _kept_key(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made earlier, or by a process starting at the same moment
        key = path.read_text(encoding="ascii").strip()
        if len(key) < MIN_LENGTH:
            raise SetupError(f"{path} holds no usable key: delete it and start again") from None
        return key
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key + "\n")
    return key
