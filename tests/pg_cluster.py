"""A throwaway PostgreSQL cluster on loopback: initdb + pg_ctl, password auth over TCP.

Used by the PostgreSQL tests (a session fixture in tests/conftest.py) and by the benchmarks.
When the server binaries are missing this raises with the reason: those tests never skip.
"""

from __future__ import annotations

import contextlib
import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "postgres"


class ClusterUnavailable(RuntimeError):
    """PostgreSQL cannot be started here; the message says why and how to fix it."""


def _bin_dir() -> Path:
    explicit = os.environ.get("GPAITRACKER_PG_BIN")
    candidates = [explicit] if explicit else []
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for folder in candidates:
        if folder and (Path(folder) / "initdb").is_file():
            return Path(folder)
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise ClusterUnavailable(
        "PostgreSQL server binaries (initdb, pg_ctl) are missing: run `make sysdeps` "
        "(apt-get install postgresql) or set GPAITRACKER_PG_BIN"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    """A running cluster; url(db) gives a superuser URL for a database on it."""

    root: Path
    port: int
    password: str
    bin: Path
    _as_postgres: bool

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(self, database: str = "postgres", user: str = SUPERUSER, password: str = "") -> str:
        return (
            f"postgresql+psycopg://{user}:{password or self.password}"
            f"@127.0.0.1:{self.port}/{database}"
        )

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = [str(a) for a in args]
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise ClusterUnavailable(
                f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.strip()[-2000:]}"
            )
        return done

    def start(self) -> None:
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} "
            # A throwaway cluster: durability is not what the tests are about.
            "-c fsync=off -c full_page_writes=off -c max_connections=100"
        )
        self._run(
            self.bin / "pg_ctl",
            "-D",
            self.data,
            "-l",
            self.root / "log",
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run(self.bin / "pg_ctl", "-D", self.data, "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(ClusterUnavailable):
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


def start_cluster() -> Cluster:
    """initdb a new cluster in a temporary folder and start it on a free loopback port."""
    bin_dir = _bin_dir()
    as_postgres = os.geteuid() == 0  # initdb refuses to run as root
    root = Path(tempfile.mkdtemp(prefix="gpai-pg-"))
    password = secrets.token_hex(16)
    pwfile = root / "pw"
    pwfile.write_text(password + "\n")
    if as_postgres:
        try:
            shutil.chown(root, "postgres")
            shutil.chown(pwfile, "postgres")
        except (LookupError, PermissionError) as exc:
            shutil.rmtree(root, ignore_errors=True)
            raise ClusterUnavailable(f"no postgres user to run the cluster as: {exc}") from None
    cluster = Cluster(root, _free_port(), password, bin_dir, as_postgres)
    try:
        cluster._run(
            bin_dir / "initdb",
            "-D",
            cluster.data,
            "-U",
            SUPERUSER,
            "-A",
            "scram-sha-256",
            "--auth-host=scram-sha-256",
            "--auth-local=scram-sha-256",
            f"--pwfile={pwfile}",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        cluster.start()
    except BaseException:
        cluster.destroy()
        raise
    return cluster
