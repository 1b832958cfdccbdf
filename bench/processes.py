"""`--server-processes N`: a benchmark's server as `wagraph serve --workers N`, and the pids
its CPU is read from (every server process, found in /proc)."""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path


def add_server_processes(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--server-processes",
        type=int,
        default=1,
        metavar="N",
        help="run `wagraph serve --workers N` (N > 1 needs REDIS_URL and --database-url)",
    )


def server_env(args: argparse.Namespace) -> dict[str, str]:
    """What `--server-processes N` adds to the server's environment: for N > 1, the Redis the
    processes share (from REDIS_URL), refused in one line, like a SQLite database, as
    `wagraph serve --workers N` would refuse them."""
    if args.server_processes < 1:
        raise SystemExit("--server-processes must be at least 1")
    if args.server_processes == 1:
        return {}
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        raise SystemExit("--server-processes above 1 needs REDIS_URL=redis://… in the environment")
    if not args.database_url:
        raise SystemExit("--server-processes above 1 needs --database-url postgres://…")
    return {"REDIS_URL": redis_url, "WAGRAPH_WORKERS": str(args.server_processes)}


def serve_command(wagraph: str, processes: int) -> list[str]:
    return [wagraph, "serve", "--no-migrate", "--log-level", "warning", "--workers", str(processes)]


def processes_text(n: int) -> str:
    return f"{n} server process" + ("es" if n > 1 else "")


def measure_suffix(n: int) -> str:
    """Nothing for one process, so a result keeps the name it had before there were more."""
    return f", {n} server processes" if n > 1 else ""


def server_pids(parent: int, processes: int, timeout: float = 60.0) -> list[int]:
    """The processes a server's CPU is read from: `wagraph serve` alone, or, with N > 1, the N
    server processes uvicorn's supervisor spawned (first, once each has connected to the
    database or Redis: its start-up is done) and the parent with its other children.

    The children are found in /proc (`/proc/<pid>/task/*/children`): rusage counts a process's
    own CPU only, so the parent's figure alone would leave out all the serving."""
    if processes == 1:
        return [parent]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = _children(parent)
        servers = [pid for pid in children if b"spawn_main" in _cmdline(pid)]
        connected = _tcp_established()
        if len(servers) >= processes and all(_sockets(pid) & connected for pid in servers):
            return [*servers, parent, *(pid for pid in children if pid not in servers)]
        time.sleep(0.1)
    raise SystemExit(f"{processes} server processes did not start within {timeout:.0f}s")


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for listing in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(child) for child in listing.read_text().split()]
        except OSError:
            continue
    return sorted(found)


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _sockets(pid: int) -> set[int]:
    """The inodes of a process's sockets (its /proc/<pid>/fd links `socket:[inode]`)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").glob("*"):
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[8:-1]))
    return inodes


def _tcp_established() -> set[int]:
    """The inodes of every established TCP connection (/proc/net/tcp and tcp6)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "01":  # ESTABLISHED
                inodes.add(int(fields[9]))
    return inodes
