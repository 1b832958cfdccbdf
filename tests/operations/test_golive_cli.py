"""`wagraph serve` refuses to start in one clear line, and `wagraph check` says what to fix.

Each command runs in a subprocess, as an operator runs it: the exit code and what it prints
are the contract (one line per problem, no traceback, no hang).
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from app.db import dialect_of
from tests.operations.cli_runner import Ran, cli_env, wagraph


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def closed_port() -> int:
    return free_port()  # nothing listens there once the probe is closed


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port another process already listens on."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield int(holder.getsockname()[1])


def assert_one_clear_line(ran: Ran, says: str) -> None:
    assert ran.returncode == 1, ran
    assert "Traceback" not in ran.stderr + ran.stdout
    problems = [line for line in ran.stderr.splitlines() if line.startswith("  - ")]
    assert len(problems) == 1, ran.stderr
    assert says in problems[0], ran.stderr
    assert "GraphiQL" not in ran.stderr  # nothing claimed it started


async def serve(tmp_path: Path, database_url: str, **extra: str) -> Ran:
    env = cli_env(database_url, WAGRAPH_PORT=str(free_port()), **extra)
    return await wagraph("serve", env=env, cwd=tmp_path)


async def test_serve_on_a_port_in_use_says_so_before_any_banner(
    tmp_path: Path, db: str, taken_port: int
) -> None:
    env = cli_env(db, WAGRAPH_PORT=str(taken_port))

    ran = await wagraph("serve", env=env, cwd=tmp_path)

    assert_one_clear_line(ran, f"WAGRAPH_PORT: port {taken_port} on 127.0.0.1 is already in use")


async def test_serve_with_the_sandbox_port_in_use_says_which(
    tmp_path: Path, db: str, taken_port: int
) -> None:
    ran = await serve(tmp_path, db, WAGRAPH_SANDBOX="true", WAGRAPH_SANDBOX_PORT=str(taken_port))

    assert_one_clear_line(ran, "WAGRAPH_SANDBOX_PORT")


async def test_serve_with_an_empty_database_url(tmp_path: Path) -> None:
    ran = await serve(tmp_path, "")

    assert_one_clear_line(ran, "DATABASE_URL is empty")


async def test_serve_with_an_unreachable_database(tmp_path: Path) -> None:
    url = f"postgres://wagraph@127.0.0.1:{closed_port()}/wagraph"

    ran = await serve(tmp_path, url)

    assert_one_clear_line(ran, "DATABASE_URL: cannot reach PostgreSQL")


async def test_serve_with_a_missing_database(tmp_path: Path, db: str) -> None:
    if dialect_of(db) == "postgres":
        parts = urlsplit(db)
        missing = f"wagraph_missing_{uuid.uuid4().hex[:8]}"
        url = urlunsplit(parts._replace(path=f"/{missing}"))
        says = f"the database '{missing}' does not exist"
    else:
        # Outside development a missing directory is a typo: nothing is created there.
        url = f"sqlite://{tmp_path}/no-such-dir/wagraph.sqlite3"
        says = "the directory"
    ran = await serve(tmp_path, url)

    assert_one_clear_line(ran, says)
    assert not (tmp_path / "no-such-dir").exists()


async def test_check_passes_against_the_sandbox(tmp_path: Path, db: str, sandbox_url: str) -> None:
    ran = await wagraph("check", env=cli_env(db, sandbox_url), cwd=tmp_path)

    assert ran.returncode == 0, ran.stderr
    assert "configuration: every setting is valid" in ran.stderr
    assert "database:" in ran.stderr and "migrations applied" in ran.stderr
    assert "the token reaches phone number" in ran.stderr
    assert ran.stderr.rstrip().endswith("ready")


async def test_check_names_a_refused_token(tmp_path: Path, db: str, sandbox_url: str) -> None:
    env = cli_env(db, sandbox_url, META_ACCESS_TOKEN="EAAG-expired")

    ran = await wagraph("check", env=env, cwd=tmp_path)

    assert ran.returncode == 1
    assert "META_ACCESS_TOKEN: Meta refused the token" in ran.stderr
    assert "EAAG-expired" not in ran.stderr


async def test_check_names_an_unknown_phone_number_id(
    tmp_path: Path, db: str, sandbox_url: str
) -> None:
    env = cli_env(db, sandbox_url, META_PHONE_NUMBER_ID="999999999999999")

    ran = await wagraph("check", env=env, cwd=tmp_path)

    assert ran.returncode == 1
    assert "META_PHONE_NUMBER_ID: 999999999999999 is not known to Meta" in ran.stderr


async def test_check_finds_an_unmigrated_database_and_unreachable_services(
    tmp_path: Path,
) -> None:
    env = cli_env(
        f"sqlite://{tmp_path}/fresh.sqlite3",
        f"http://127.0.0.1:{closed_port()}",
        REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0",
    )

    ran = await wagraph("check", "--timeout", "3", env=env, cwd=tmp_path)

    assert ran.returncode == 1
    assert "Traceback" not in ran.stderr
    fixes = [line for line in ran.stderr.splitlines() if line.startswith("fix ")]
    assert len(fixes) == 3, ran.stderr
    assert any("run `wagraph migrate`" in line for line in fixes)
    assert any("REDIS_URL: cannot reach Redis" in line for line in fixes)
    assert any("META_GRAPH_API_BASE_URL: cannot reach" in line for line in fixes)


async def test_check_reports_configuration_problems_first(tmp_path: Path, db: str) -> None:
    env = cli_env(db, WAGRAPH_ENV="production", META_APP_SECRET="")

    ran = await wagraph("check", env=env, cwd=tmp_path)

    assert ran.returncode == 1
    assert "Traceback" not in ran.stderr
    assert "META_VERIFY_TOKEN must be set in production" in ran.stderr
    assert "META_APP_SECRET must be set outside development" in ran.stderr
