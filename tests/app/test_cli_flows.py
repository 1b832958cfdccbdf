"""`wagraph flows`: a key made, its public half printed, uploaded to Meta (the sandbox)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.app.test_migrations import ROOT, run_cli
from tests.conftest import ACCESS_TOKEN, PHONE_NUMBER_ID
from whatsapp.flows import crypto


def flows_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "flows", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def flows_cli_async(*args: str, env: dict[str, str]) -> tuple[int, str]:
    """As `flows_cli`, without blocking the loop the test's sandbox answers in."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app.cli",
        "flows",
        *args,
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(proc.communicate(), timeout=120)
    return proc.returncode or 0, stderr.decode()


def test_keygen_writes_a_private_key_and_prints_its_public_half(db: str, tmp_path: Path) -> None:
    out = tmp_path / "flows.pem"

    made = run_cli("flows", "keygen", "--out", str(out), database_url=db)
    again = run_cli("flows", "keygen", "--out", str(out), database_url=db)

    assert made.returncode == 0, made.stderr
    key = crypto.load_private_key(out.read_text())
    assert made.stdout == crypto.public_pem(key)
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    assert again.returncode == 2 and "never overwritten" in again.stderr


def test_keygen_protects_the_key_with_a_passphrase_from_the_environment(
    db: str, tmp_path: Path
) -> None:
    out = tmp_path / "flows.pem"

    made = flows_cli(
        "keygen", "--out", str(out), "--passphrase-env", "FLOWS_PW", env={"FLOWS_PW": "s3cret"}
    )
    unset = flows_cli(
        "keygen", "--out", str(tmp_path / "x.pem"), "--passphrase-env", "NOPE", env={}
    )

    assert made.returncode == 0, made.stderr
    assert crypto.load_private_key(out.read_text(), "s3cret")
    assert unset.returncode == 2 and "NOPE is not set" in unset.stderr


async def test_upload_key_sets_the_numbers_key_at_meta(
    db: str, sandbox_url: str, sandbox: object, tmp_path: Path
) -> None:
    key_file = tmp_path / "flows.pem"
    key = crypto.generate_private_key()
    key_file.write_text(crypto.private_pem(key))
    env = {
        "DATABASE_URL": db,
        "META_GRAPH_API_BASE_URL": sandbox_url,
        "META_ACCESS_TOKEN": ACCESS_TOKEN,
        "META_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "WAGRAPH_FLOWS_PRIVATE_KEY": str(key_file),
    }

    uploaded, said = await flows_cli_async("upload-key", env=env)
    broken = flows_cli("upload-key", env={**env, "WAGRAPH_FLOWS_PRIVATE_KEY": "/nowhere.pem"})

    assert uploaded == 0, said
    assert "signature status VALID" in said
    async with httpx.AsyncClient() as http:
        found = await http.get(
            f"{sandbox_url}/v25.0/{PHONE_NUMBER_ID}/whatsapp_business_encryption",
            headers={"Authorization": f"Bearer {ACCESS_TOKEN}"},
        )
    assert found.json()["data"][0]["business_public_key"].strip() == crypto.public_pem(key).strip()
    assert broken.returncode == 2 and "neither PEM text nor a readable file" in broken.stderr
