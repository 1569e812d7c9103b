"""A throwaway PostgreSQL cluster of the test's own, to stop, crash and restart at will.

The shared server on 127.0.0.1:5432 serves every other test run on the machine,
so a fault test never touches it: it runs `initdb` into a scratch directory and
starts a postmaster there on a free port (trust auth, no fsync, its socket in
the same directory). Under root the binaries run as the `postgres` user, since
PostgreSQL refuses to run as root. Missing binaries are a failure, not a skip,
like the shared server not answering.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fakeslack.serve_process import free_port

__all__ = ["PrivateCluster", "private_cluster"]

PG_USER = "postgres"
START_TIMEOUT_S = 30


def _bindir() -> Path:
    """The newest installed server binaries (Debian puts them under /usr/lib/postgresql)."""
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).parent
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda p: int(Path(p).parent.parent.name.split(".")[0]),
    )
    if not found:
        raise RuntimeError("no PostgreSQL server binaries (initdb, pg_ctl) installed here")
    return Path(found[-1]).parent


class PrivateCluster:
    """One postmaster in a scratch directory: `init()` once, then start/stop/crash."""

    def __init__(self) -> None:
        self.bindir = _bindir()
        self.root = Path(tempfile.mkdtemp(prefix="warroom-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.log_path = self.root / "postgres.log"

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://{PG_USER}@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", PG_USER, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(
                f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}\n"
                f"{self.log()}"
            )

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.root, PG_USER, PG_USER)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", PG_USER, "--no-sync")

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off"
        )
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log_path), "-o", options,
            "-t", str(START_TIMEOUT_S), "-w", "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """`immediate` is a crash: every backend is killed and recovery runs at next start."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def remove(self) -> None:
        if self.running():
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


@contextmanager
def private_cluster() -> Iterator[PrivateCluster]:
    """A started private cluster, removed afterwards (stopped first if still up).
    A test module makes it a fixture: `yield from`-style, see test_database_restart."""
    cluster = PrivateCluster()
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.remove()
