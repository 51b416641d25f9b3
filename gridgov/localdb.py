"""A private PostgreSQL + PostGIS cluster under ./.gridgov/, run with the system's binaries.

PostgreSQL refuses to run as root; when root starts it, the cluster runs as the
unprivileged `postgres` user that Debian's package creates.
"""

from __future__ import annotations

import hashlib
import json
import os
import pwd
import re
import secrets
import shutil
import socket
import stat
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from gridgov.errors import SetupError

_PG_ROOT = Path("/usr/lib/postgresql")
_SUPERUSER = "gridgov"
_DBNAME = "gridgov"
_RUN_AS = "postgres"
# Sized for loading a district's or a city's files: the defaults (128 MB of
# buffers, a checkpoint every 1 GB of WAL) make a million-row load checkpoint
# a dozen times. The private cluster serves one user on one machine.
_TUNING = " ".join(
    f"-c {k}={v}"
    for k, v in {
        "shared_buffers": "512MB",
        "max_wal_size": "8GB",
        "checkpoint_timeout": "30min",
        "wal_buffers": "32MB",
        "maintenance_work_mem": "256MB",
        "synchronous_commit": "off",
    }.items()
)


def _install_hint(version: str) -> str:
    return f"apt-get update && apt-get install -y postgresql-{version} postgresql-{version}-postgis-3"


@dataclass(frozen=True)
class Binaries:
    """Where the server binaries of one PostgreSQL major version live."""

    bindir: Path
    version: str

    def __call__(self, name: str) -> str:
        return str(self.bindir / name)


def find_binaries() -> Binaries:
    """The newest PostgreSQL server with PostGIS installed, or a message naming the package."""
    found: list[tuple[int, Path]] = []
    if _PG_ROOT.is_dir():
        for d in _PG_ROOT.iterdir():
            if d.name.isdigit() and (d / "bin" / "initdb").exists():
                found.append((int(d.name), d / "bin"))
    which = shutil.which("initdb")
    if not found and which:
        bindir = Path(which).resolve().parent
        m = re.search(r"(\d+)", str(bindir))
        found.append((int(m.group(1)) if m else 0, bindir))
    if not found:
        raise SetupError(
            "PostgreSQL server binaries (initdb, pg_ctl) are not installed. "
            f"Install them with: {_install_hint('15')}"
        )
    found.sort(reverse=True)
    missing: list[str] = []
    for version, bindir in found:
        control = Path(f"/usr/share/postgresql/{version}/extension/postgis.control")
        if control.exists() or _postgis_next_to(bindir):
            return Binaries(bindir=bindir, version=str(version))
        missing.append(str(version))
    raise SetupError(
        f"PostGIS is not installed for PostgreSQL {missing[0]}. "
        f"Install it with: apt-get update && apt-get install -y postgresql-{missing[0]}-postgis-3"
    )


def _postgis_next_to(bindir: Path) -> bool:
    # Source builds keep extensions in <prefix>/share/extension.
    return (bindir.parent / "share" / "extension" / "postgis.control").exists()


@dataclass(frozen=True)
class _Identity:
    uid: int
    gid: int
    name: str


def _run_identity() -> _Identity | None:
    """The unprivileged user the server runs as when we are root; None when we are not root."""
    if os.geteuid() != 0:
        return None
    try:
        pw = pwd.getpwnam(_RUN_AS)
    except KeyError:
        raise SetupError(
            "PostgreSQL refuses to run as root and there is no 'postgres' user to run it as. "
            f"Installing the server creates it: {_install_hint('15')}"
        ) from None
    return _Identity(uid=pw.pw_uid, gid=pw.pw_gid, name=pw.pw_name)


def _traversable_by(ident: _Identity, path: Path) -> bool:
    """Whether `ident` can reach `path` (execute permission on every ancestor)."""
    for p in [path, *path.parents]:
        try:
            st = p.stat()
        except FileNotFoundError:
            continue
        if st.st_uid == ident.uid:
            bit = stat.S_IXUSR
        elif st.st_gid == ident.gid:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not st.st_mode & bit:
            return False
    return True


class LocalCluster:
    """The embedded cluster: created on first use, started when needed, stopped on request."""

    def __init__(self, home: Path, port: int | None = None) -> None:
        self.home = home.resolve()
        self._port = port  # None: the port chosen when the cluster was made, or a free one
        self._state_file = self.home / "cluster.json"

    @property
    def port(self) -> int:
        return self._port or int(self._state().get("port", 0)) or _free_port()

    # -- state ---------------------------------------------------------------
    def _state(self) -> dict[str, str]:
        if self._state_file.exists():
            return dict(json.loads(self._state_file.read_text()))
        return {}

    def _save_state(self, state: dict[str, str]) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._state_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(state, f, indent=2)

    @property
    def datadir(self) -> Path:
        return Path(self._state().get("datadir", str(self.home / "pgdata")))

    def url(self, dbname: str = _DBNAME) -> str:
        state = self._state()
        password = quote(state["password"], safe="")
        return f"postgresql://{_SUPERUSER}:{password}@127.0.0.1:{self.port}/{dbname}"

    # -- commands ------------------------------------------------------------
    def _run(self, args: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
        ident = _run_identity()
        kwargs: dict[str, object] = {}
        if ident is not None:
            kwargs = {"user": ident.uid, "group": ident.gid, "extra_groups": []}
        env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
        proc = subprocess.run(
            args, capture_output=True, text=True, env=env, cwd="/", **kwargs  # type: ignore[call-overload]
        )
        if check and proc.returncode != 0:
            raise SetupError(
                f"{Path(args[0]).name} failed ({proc.returncode}): {proc.stderr.strip() or proc.stdout.strip()}"
            )
        return proc  # type: ignore[no-any-return]

    def _choose_datadir(self, ident: _Identity | None) -> Path:
        preferred = self.home / "pgdata"
        if ident is None or _traversable_by(ident, self.home):
            return preferred
        # The checkout sits in a directory the postgres user cannot enter
        # (e.g. a mode-700 temporary directory): keep the data where it can.
        digest = hashlib.sha256(str(self.home).encode()).hexdigest()[:12]
        return Path("/var/tmp") / f"gridgov-{digest}" / "pgdata"

    def initialised(self) -> bool:
        return (self.datadir / "PG_VERSION").exists() and "password" in self._state()

    def init(self) -> None:
        """Create the cluster with a random superuser password kept in .gridgov/cluster.json."""
        bins = find_binaries()
        ident = _run_identity()
        datadir = self._choose_datadir(ident)
        if datadir.exists() and any(datadir.iterdir()):
            shutil.rmtree(datadir)  # a half-made cluster from an interrupted init
        datadir.mkdir(parents=True, exist_ok=True, mode=0o700)
        password = secrets.token_urlsafe(24)
        pwfile = datadir.parent / ".initdb-pw"
        pwfile.write_text(password + "\n")
        try:
            if ident is not None:
                for p in (datadir.parent, datadir, pwfile):
                    os.chown(p, ident.uid, ident.gid)
            self._run(
                [
                    bins("initdb"), "-D", str(datadir), "-U", _SUPERUSER, f"--pwfile={pwfile}",
                    "--auth-local=scram-sha-256", "--auth-host=scram-sha-256",
                    "-E", "UTF8", "--locale=C.UTF-8",
                ]
            )
        finally:
            pwfile.unlink(missing_ok=True)
        self._save_state(
            {"datadir": str(datadir), "password": password, "version": bins.version, "port": str(self.port)}
        )

    def running(self) -> bool:
        if not (self.datadir / "PG_VERSION").exists():
            return False
        return self._run([find_binaries()("pg_ctl"), "status", "-D", str(self.datadir)], check=False).returncode == 0

    def start(self) -> None:
        """Initialise if needed and start the server on 127.0.0.1:port; wait until it accepts connections."""
        if not self.initialised():
            self.init()
        if self.running():
            return
        if _port_busy(self.port):
            if self._port:
                raise SetupError(
                    f"port {self.port} on 127.0.0.1 is taken by another program; set GRIDGOV_PG_PORT to a free port"
                )
            # another program took our port while the cluster was down: move to a free one
            self._save_state({**self._state(), "port": str(_free_port())})
        log = self.datadir / "server.log"
        opts = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' {_TUNING}"
        proc = self._run(
            [find_binaries()("pg_ctl"), "start", "-D", str(self.datadir), "-l", str(log), "-w", "-t", "60", "-o", opts],
            check=False,
        )
        if proc.returncode != 0:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else proc.stderr
            raise SetupError(f"the local PostgreSQL did not start:\n{tail}")
        self._ensure_database()

    def _ensure_database(self) -> None:
        import psycopg

        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
                    exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [_DBNAME]).fetchone()
                    if not exists:
                        conn.execute(f"CREATE DATABASE {_DBNAME}")
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)

    def stop(self) -> bool:
        """Stop the server; False if it was not running."""
        if not self.running():
            return False
        self._run([find_binaries()("pg_ctl"), "stop", "-D", str(self.datadir), "-m", "fast", "-w"])
        return True


def _free_port(start: int = 54329, tries: int = 200) -> int:
    """The first port from `start` up that nothing listens on."""
    for port in range(start, start + tries):
        if not _port_busy(port):
            return port
    raise SetupError(f"no free port between {start} and {start + tries - 1} on 127.0.0.1; set GRIDGOV_PG_PORT")


def _port_busy(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0
