"""`wagraph` commands (`serve`, `worker`, `sandbox`, `scheduled flush`) as processes of their
own, for tests that stop them the way a deploy or a crash does (SIGTERM, kill -9).

Each process writes to a log file whose tail goes into a failing assertion, and a `Processes`
group kills whatever is still running when the test ends, passing or failing, so no test
leaves a server behind on the machine.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

import httpx

from tests.conftest import ACCESS_TOKEN, APP_SECRET, PHONE_NUMBER_ID, WABA_ID

ROOT = Path(__file__).resolve().parents[1]


def deployment_env(
    database_url: str,
    graph_url: str | None,
    *,
    redis_url: str | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment of a test deployment: this database, Meta at `graph_url` (the sandbox),
    Redis only when given (an inherited REDIS_URL would point a test at the shared one)."""
    env = {
        **os.environ,
        "WAGRAPH_ENV": "test",
        "DATABASE_URL": database_url,
        "META_ACCESS_TOKEN": ACCESS_TOKEN,
        "META_APP_SECRET": APP_SECRET,
        "META_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "META_WHATSAPP_BUSINESS_ID": WABA_ID,
        "WAGRAPH_SANDBOX": "false",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    if graph_url is not None:
        env["META_GRAPH_API_BASE_URL"] = graph_url
    env.update(extra or {})
    return env


class Process:
    """One running command; its stdout and stderr go to `log`."""

    def __init__(self, name: str, args: list[str], env: Mapping[str, str], log: Path) -> None:
        self.name = name
        self.log = log
        with log.open("wb") as sink:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", *args],
                cwd=ROOT,
                env=dict(env),
                stdout=sink,
                stderr=subprocess.STDOUT,
            )

    @property
    def running(self) -> bool:
        return self.popen.poll() is None

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return f"--- {self.name} ({self.log}) ---\n" + "\n".join(text.splitlines()[-lines:])

    def terminate(self) -> None:
        """SIGTERM, as a service manager stops a process on a deploy."""
        if self.running:
            self.popen.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        """kill -9: a crash; nothing in the process runs after it."""
        if self.running:
            self.popen.kill()
        self.popen.wait()

    async def exited(self, timeout: float = 60) -> int:
        """The exit status, polled without blocking the loop; fails after the deadline."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.popen.poll() is None:
            if loop.time() > deadline:
                raise AssertionError(f"{self.name} did not exit within {timeout}s\n{self.tail()}")
            await asyncio.sleep(0.02)
        return self.popen.returncode


class Processes:
    """The processes of one test; every one still running is killed on the way out."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.started: list[Process] = []

    def start(self, name: str, args: list[str], env: Mapping[str, str]) -> Process:
        process = Process(name, args, env, self.logs / f"{name}.log")
        self.started.append(process)
        return process

    def wagraph(self, name: str, *args: str, env: Mapping[str, str]) -> Process:
        return self.start(name, ["app.cli", *args], env)

    def tails(self) -> str:
        return "\n".join(process.tail() for process in self.started)

    def __enter__(self) -> Processes:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for process in self.started:
            process.kill()


async def wait_http(url: str, process: Process, timeout: float = 60) -> None:
    """Poll `url` until it answers (any status); fail early if the process died."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    async with httpx.AsyncClient(timeout=1) as http:
        while True:
            if not process.running:
                raise AssertionError(
                    f"{process.name} exited ({process.popen.returncode})\n" + process.tail()
                )
            try:
                await http.get(url)
                return
            except httpx.TransportError:
                pass
            if loop.time() > deadline:
                raise AssertionError(f"{url} did not answer within {timeout}s\n{process.tail()}")
            await asyncio.sleep(0.05)
