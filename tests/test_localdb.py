"""The private cluster says exactly what to install when PostgreSQL or PostGIS is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from gridgov import localdb
from gridgov.errors import SetupError


def test_missing_postgresql_names_the_packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(localdb, "_PG_ROOT", tmp_path / "postgresql")
    monkeypatch.setattr(localdb.shutil, "which", lambda _name: None)
    with pytest.raises(SetupError, match=r"apt-get install -y postgresql-15 postgresql-15-postgis-3"):
        localdb.find_binaries()


def test_missing_postgis_names_the_package_for_that_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bindir = tmp_path / "postgresql" / "97" / "bin"
    bindir.mkdir(parents=True)
    (bindir / "initdb").touch()
    monkeypatch.setattr(localdb, "_PG_ROOT", tmp_path / "postgresql")
    with pytest.raises(SetupError, match=r"PostGIS is not installed for PostgreSQL 97.*postgresql-97-postgis-3"):
        localdb.find_binaries()


def test_the_installed_server_is_found() -> None:
    # the test command installs PostgreSQL and PostGIS; the cluster the suite uses runs on them
    found = localdb.find_binaries()
    assert Path(found("initdb")).exists()
    assert Path(found("pg_ctl")).exists()
