"""`wagraph sandbox` and `python -m sandbox`: one set of flags, applied the same way; a port in
use or an impossible value is one line, not a traceback."""

from __future__ import annotations

import asyncio
import socket
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.cli import FLAGS
from tests.operations.cli_runner import cli_env, closed_port, run

FRONTS = {
    "wagraph": ("-m", "app.cli", "sandbox"),
    "python -m sandbox": ("-m", "sandbox"),
}
GIVEN = (
    "--access-token", "tok-1", "--app-secret", "sec-1", "--rate-limit-mps", "7",
    "--fault-rate", "0.25", "--fault-kind", "error", "--seed", "3",
    "--webhook-url", "http://127.0.0.1:9/hook", "--flows-endpoint", "http://127.0.0.1:9/f/{flow}",
)  # fmt: skip


def env(tmp_path: Path) -> dict[str, str]:
    return cli_env(f"sqlite://{tmp_path / 'unused.sqlite3'}")


async def config_of(*args: str, tmp_path: Path) -> dict[str, Any]:
    """Start a front with `args`, read its live config, stop it."""
    port = closed_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, *args, "--port", str(port), *GIVEN,
        cwd=tmp_path, env=env(tmp_path),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            deadline = asyncio.get_running_loop().time() + 60
            while True:
                try:
                    answer = await http.get("/_sandbox/config")
                    return dict(answer.json())
                except httpx.TransportError:
                    assert process.returncode is None, await process.stderr.read()  # type: ignore[union-attr]
                    assert asyncio.get_running_loop().time() < deadline, "sandbox did not start"
                    await asyncio.sleep(0.1)
    finally:
        process.terminate()
        await process.wait()


async def test_both_fronts_take_the_same_flags_with_the_same_effect(tmp_path: Path) -> None:
    wagraph = await config_of(*FRONTS["wagraph"], tmp_path=tmp_path)
    alone = await config_of(*FRONTS["python -m sandbox"], tmp_path=tmp_path)

    for config in (wagraph, alone):
        assert config["access_token"] == "tok-1"
        assert config["app_secret"] == "sec-1"
        assert config["rate_limit_mps"] == 7
        assert (config["fault_rate"], config["fault_kind"], config["seed"]) == (0.25, "error", 3)
        assert config["webhook_url"] == "http://127.0.0.1:9/hook"
        assert config["flows_endpoint"] == "http://127.0.0.1:9/f/{flow}"


@pytest.mark.parametrize("front", sorted(FRONTS))
async def test_every_flag_is_in_both_helps(front: str, tmp_path: Path) -> None:
    result = await run(*FRONTS[front], "--help", env=env(tmp_path), cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    for flag in FLAGS:
        assert flag.option in result.stdout, (front, flag.option)


@pytest.mark.parametrize("front", sorted(FRONTS))
async def test_a_port_in_use_is_one_line(front: str, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        result = await run(*FRONTS[front], "--port", str(port), env=env(tmp_path), cwd=tmp_path)

    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr


@pytest.mark.parametrize("front", sorted(FRONTS))
async def test_an_impossible_value_is_refused_before_starting(front: str, tmp_path: Path) -> None:
    result = await run(*FRONTS[front], "--fault-rate", "3", env=env(tmp_path), cwd=tmp_path)

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "fault_rate must be between 0 and 1" in result.stderr
