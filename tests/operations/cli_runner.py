"""Run `wagraph` (or `python -m sandbox`) in a subprocess without blocking the test's event loop,
which serves the in-process sandbox the command may be talking to."""

from __future__ import annotations

import asyncio
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.processes import deployment_env


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


def cli_env(database_url: str, graph_url: str | None = None, **extra: str) -> dict[str, str]:
    """The environment of a test deployment (no .env file is read: cwd is a temp dir), with
    rich's output at a fixed width."""
    return deployment_env(database_url, graph_url, extra={"COLUMNS": "80", **extra})


async def run(*args: str, env: dict[str, str], cwd: Path, timeout: float = 120) -> Ran:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout)
    return Ran(process.returncode or 0, out.decode(), err.decode())


async def wagraph(*args: str, env: dict[str, str], cwd: Path) -> Ran:
    return await run("-m", "app.cli", *args, env=env, cwd=cwd)


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
