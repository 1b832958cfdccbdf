"""`wagraph serve --workers N`: N server processes on one port, as real processes.

What cannot work with several processes is refused before anything starts, one line naming
the variable, exit 1: the built-in sandbox (each process would run its own), no REDIS_URL
(live updates, key revocations and the rate limit would stay per process) and SQLite.

With PostgreSQL and Redis, `--workers 2` against a sandbox in a process of its own: two
server processes answer GraphQL (each one alone, the other frozen with SIGSTOP, so which one
answered is not left to the kernel's choice), a send goes through to the sandbox, and SIGTERM
on the parent stops everything with exit code 0. Those tests skip without DATABASE_URL=
postgres://… and REDIS_URL, and fail instead when WAGRAPH_REQUIRE_SERVICES is set (CI).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import pytest

from app.db import dialect_of
from models import ApiKeyScope
from tests.processes import Process, Processes, deployment_env, wait_http
from tests.reliability.deployment import start_sandbox
from tests.services import unused_port
from tests.workers import forget_queue, new_queue_name, require_redis
from whatsapp.access import api_keys

WAGRAPH = Path(sys.executable).parent / "wagraph"
# Only the refusals run this: nothing here is reached, the settings are refused first.
UNREACHED_POSTGRES = "postgres://postgres@127.0.0.1:9/none"
UNREACHED_REDIS = "redis://127.0.0.1:9/0"
UNREACHED_META = "http://127.0.0.1:9"
LOCAL_SQLITE = "sqlite://./wagraph.sqlite3"  # in the test's directory
# A frozen process misses the supervisor's health pings; it is killed after 5 s without one.
FROZEN_AT_MOST_S = 3.0
MESSAGES = "{ messages(first: 1) { edges { node { id } } } }"
SEND = """mutation($input: SendMessageInput!) {
  sendMessage(input: $input) { message { status } errors { code message } }
}"""


# -- refused at start-up -----------------------------------------------------------------------


def refused_env(database_url: str, graph_url: str | None, redis_url: str | None) -> dict[str, str]:
    """A deployment's environment; without `graph_url`, the built-in sandbox asked for."""
    env = deployment_env(database_url, graph_url, redis_url=redis_url)
    if graph_url is None:
        env.pop("META_GRAPH_API_BASE_URL", None)
        env["WAGRAPH_SANDBOX"] = "true"
    return env


def serve_two(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`wagraph serve --workers 2`, from a directory without a .env."""
    env = {**env, "WAGRAPH_PORT": str(unused_port())}
    return subprocess.run(
        [str(WAGRAPH), "serve", "--workers", "2"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def problem_lines(output: str) -> list[str]:
    return [line.strip()[2:] for line in output.splitlines() if line.startswith("  - ")]


@pytest.mark.parametrize(
    ("variable", "given_database", "graph_url", "redis_url"),
    [
        ("META_GRAPH_API_BASE_URL", UNREACHED_POSTGRES, None, UNREACHED_REDIS),
        ("REDIS_URL", UNREACHED_POSTGRES, UNREACHED_META, None),
        ("DATABASE_URL", LOCAL_SQLITE, UNREACHED_META, UNREACHED_REDIS),
    ],
    ids=["built-in sandbox", "no Redis", "SQLite"],
)
def test_what_cannot_run_in_several_processes_is_refused_in_one_line(
    variable: str, given_database: str, graph_url: str | None, redis_url: str | None, tmp_path: Path
) -> None:
    # when
    done = serve_two(tmp_path, refused_env(given_database, graph_url, redis_url))

    # then
    assert done.returncode == 1, done.stdout + done.stderr
    assert "wagraph cannot start" in done.stderr
    [problem] = problem_lines(done.stderr)
    assert problem.startswith(f"{variable}: "), problem
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "wagraph.sqlite3").exists()  # refused before the database is opened


def test_every_reason_is_given_at_once(tmp_path: Path) -> None:
    # given: the development defaults (SQLite, the built-in sandbox, no Redis)
    env = refused_env(LOCAL_SQLITE, None, None)

    # when
    done = serve_two(tmp_path, env)

    # then
    assert done.returncode == 1, done.stdout + done.stderr
    variables = [line.split(":")[0] for line in problem_lines(done.stderr)]
    assert variables == ["META_GRAPH_API_BASE_URL", "REDIS_URL", "DATABASE_URL"]
    assert "wagraph sandbox" in done.stderr
    assert "Traceback" not in done.stderr


# -- two processes, PostgreSQL and Redis -------------------------------------------------------


@pytest.fixture
def services(db: str) -> tuple[str, str]:
    """(the session's PostgreSQL database, REDIS_URL); without either a skip, or a failure
    when WAGRAPH_REQUIRE_SERVICES says CI runs."""
    if dialect_of(db) != "postgres":
        if os.environ.get("WAGRAPH_REQUIRE_SERVICES"):
            pytest.fail("DATABASE_URL=postgres://… must be set when WAGRAPH_REQUIRE_SERVICES is")
        pytest.skip("DATABASE_URL is not PostgreSQL (several processes need it)")
    return db, require_redis()


@pytest.fixture
async def queue_name(services: tuple[str, str]) -> AsyncIterator[str]:
    name = new_queue_name()
    yield name
    await forget_queue(services[1], name)


def children(parent: int) -> list[int]:
    """The parent's child processes, from /proc (every thread's list: any may have forked)."""
    found: list[int] = []
    for listing in Path(f"/proc/{parent}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            found += [int(pid) for pid in listing.read_text().split()]
    return sorted(found)


def is_server(pid: int) -> bool:
    """A server process started by uvicorn's supervisor (a multiprocessing spawn); the
    resource tracker multiprocessing starts beside them is not one."""
    try:
        return b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def running(pid: int) -> bool:
    """Exists and is not a zombie (an exited orphan its new parent has not reaped yet)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


async def until(
    check: Callable[[], bool], what: str, process: Process, timeout: float = 60
) -> None:
    """Poll until `check()`; fail after the deadline with `what` and the process's log."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            raise AssertionError(f"{what} within {timeout}s\n{process.tail()}")
        await asyncio.sleep(0.05)


@contextlib.contextmanager
def frozen(pids: list[int]) -> Iterator[None]:
    """These processes stopped (SIGSTOP) for the block: they accept no connection."""
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)


async def graphql(url: str, key: str, query: str, variables: object = None) -> httpx.Response:
    """On a connection of its own, so it goes to whichever process accepts now."""
    async with httpx.AsyncClient(base_url=url, timeout=FROZEN_AT_MOST_S) as http:
        return await http.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {key}"},
        )


async def test_two_processes_answer_and_sigterm_stops_them_all(
    services: tuple[str, str], queue_name: str, tmp_path: Path
) -> None:
    database_url, redis_url = services
    _, key = await api_keys.create_api_key(name="workers", scope=ApiKeyScope.WRITE)
    port = unused_port()
    url = f"http://127.0.0.1:{port}"
    servers: list[int] = []
    with Processes(tmp_path) as processes:
        try:
            # given: Meta (the sandbox) in a process of its own, and two server processes
            sandbox = await start_sandbox(processes)
            extra = {
                "WAGRAPH_PORT": str(port),
                "WAGRAPH_QUEUE_NAME": queue_name,
                "WAGRAPH_ENFORCE_SERVICE_WINDOW": "false",
            }
            env = deployment_env(database_url, sandbox.url, redis_url=redis_url, extra=extra)
            parent = processes.wagraph("serve", "serve", "--workers", "2", env=env)
            await wait_http(f"{url}/healthz", parent)
            await until(
                lambda: parent.log.read_text().count("Application startup complete") == 2,
                "two server processes did not start",
                parent,
            )
            servers = [pid for pid in children(parent.popen.pid) if is_server(pid)]
            assert len(servers) == 2, parent.tail()
            assert "2 processes on one port" in parent.log.read_text()

            # when / then: each process answers GraphQL while the other one is frozen
            for pid in servers:
                with frozen([other for other in servers if other != pid]):
                    response = await graphql(url, key, MESSAGES)
                assert response.status_code == 200, response.text
                assert "errors" not in response.json(), response.text
            # neither was taken for hung and replaced
            assert [pid for pid in children(parent.popen.pid) if is_server(pid)] == servers

            # and a send goes through to the sandbox
            variables = {"input": {"to": "+15551234567", "content": {"text": {"body": "hi"}}}}
            sent = await graphql(url, key, SEND, variables)
            assert sent.json()["data"]["sendMessage"]["errors"] == [], sent.text
            assert (await sandbox.stats())["messages"]["accepted"] == 1

            # when: the parent is told to stop, as a service manager does
            everything = children(parent.popen.pid)
            parent.terminate()

            # then
            assert await parent.exited(timeout=30) == 0, parent.tail()
            await until(
                lambda: not any(running(pid) for pid in everything),
                "a child process outlived the parent",
                parent,
                timeout=10,
            )
            assert "Traceback" not in parent.log.read_text(), parent.tail()
        finally:
            for pid in servers:  # a parent killed by the test leaves its children orphaned
                if running(pid):
                    os.kill(pid, signal.SIGKILL)
