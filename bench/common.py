"""What every benchmark needs: a database of its own, so runs never see each other's rows, and
the processes it measures, started and waited for."""

from __future__ import annotations

import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout: float = 30.0) -> None:
    """Until `url` answers below 500; a benchmark whose process never came up stops here."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1.0).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{url} did not come up within {timeout:.0f}s")


@contextmanager
def fresh_database(given: str | None, tmp: str) -> Iterator[str]:
    """A new SQLite file in `tmp`, or a throwaway PostgreSQL database beside `given`, dropped
    afterwards: a benchmark that reused one would measure ever larger tables (and collide on
    the wamids it seeds)."""
    if not given:
        yield f"sqlite://{tmp}/bench.sqlite3"
        return
    name = f"wagraph_bench_{secrets.token_hex(3)}"
    subprocess.run(["psql", given, "-qc", f'CREATE DATABASE "{name}"'], check=True)
    try:
        yield urlunsplit(urlsplit(given)._replace(path=f"/{name}"))
    finally:
        drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
        subprocess.run(["psql", given, "-qc", drop], check=False)


@contextmanager
def profiled(pid: int, path: str | None) -> Iterator[None]:
    """Sample process `pid` with py-spy into `path` (raw collapsed stacks, one line per stack
    with its count) while the block runs; nothing when `path` is None."""
    if path is None:
        yield
        return
    spy = subprocess.Popen(
        [str(BIN / "py-spy"), "record", "--pid", str(pid), "-f", "raw", "-o", path],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)  # py-spy writes its file when interrupted
        spy.wait(timeout=30)
