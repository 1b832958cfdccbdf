"""Throwaway Redis and PostgreSQL servers, on ports of their own, for tests that stop, restart
or break a service. The shared services (127.0.0.1:5432 and :6379) are never touched.

Both need the servers' binaries (Debian's redis-server and postgresql packages). Without them
a test fails with a line saying what to install: CI never skips a test that needs a service.
As root, PostgreSQL's `initdb` and `pg_ctl` run as the postgres user (`runuser`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest


def unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_answers(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _wait_port(port: int, *, up: bool, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while port_answers(port) != up:
        if time.monotonic() > deadline:
            state = "answering" if up else "stopped"
            raise AssertionError(f"{what} on port {port} was not {state} within {timeout}s")
        time.sleep(0.02)


class ThrowawayRedis:
    """A redis-server keeping nothing on disk; `stop()` and `start()` keep its port, so
    clients configured with `url` see an outage and a recovery."""

    def __init__(self, *options: str) -> None:
        """`options`: more redis-server options, e.g. `--replicaof 127.0.0.1 1` for a read-only
        replica whose master never answers (every write is refused with READONLY)."""
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed (apt-get install -y redis-server)")
        self.binary = binary
        self.port = unused_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.options = options
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        if self._process is not None:
            return
        self._process = subprocess.Popen(
            [
                *(self.binary, "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--loglevel", "warning"),
                *self.options,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_port(self.port, up=True, timeout=10, what="throwaway Redis")

    def stop(self) -> None:
        """Kill it (SIGKILL: an outage, not a shutdown); its data is gone."""
        if self._process is None:
            return
        self._process.kill()
        self._process.wait()
        self._process = None
        _wait_port(self.port, up=False, timeout=10, what="throwaway Redis")


@contextlib.contextmanager
def throwaway_redis(*options: str) -> Iterator[ThrowawayRedis]:
    redis = ThrowawayRedis(*options)
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


@pytest.fixture
def redis() -> Iterator[ThrowawayRedis]:
    """A throwaway Redis for one test (a module takes it with `from tests.services import
    redis as redis`)."""
    with throwaway_redis() as server:
        yield server


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if found:
        return found[-1].parent
    on_path = shutil.which("pg_ctl")
    if on_path is None:
        pytest.fail("PostgreSQL's server binaries are missing (apt-get install -y postgresql)")
    return Path(on_path).parent


class ThrowawayPostgres:
    """A PostgreSQL cluster in a temporary directory, trust auth, fsync off; `stop()` (fast
    shutdown, connections dropped) and `start()` keep its port."""

    def __init__(self, root: Path) -> None:
        self.bin = _pg_bin()
        self.dir = root / "pgdata"
        self.port = unused_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            shutil.chown(root, "postgres", "postgres")
        self._run("initdb", "-D", str(self.dir), "-A", "trust", "-U", "postgres", "--no-sync")
        self.running = False

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin / tool), *args]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise AssertionError(f"{tool} failed ({done.returncode}): {done.stderr.strip()}")

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        log = str(self.dir / "server.log")
        self._run("pg_ctl", "-D", str(self.dir), "-o", options, "-l", log, "-w", "start")
        self.running = True
        _wait_port(self.port, up=True, timeout=20, what="throwaway PostgreSQL")

    def stop(self, mode: str = "fast") -> None:
        """`fast` drops every connection (an outage as clients see it); `immediate` is a crash."""
        if not self.running:
            return
        self._run("pg_ctl", "-D", str(self.dir), "-m", mode, "-w", "stop")
        self.running = False


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[ThrowawayPostgres]:
    with tempfile.TemporaryDirectory(prefix="wagraph-pg-") as tmp:
        pg = ThrowawayPostgres(Path(tmp))
        pg.start()
        try:
            yield pg
        finally:
            pg.stop("immediate")
