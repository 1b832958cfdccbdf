"""Migrations: the checked-in history of the current dialect builds the schema the models
describe. The drift check runs in a subprocess because aerich keeps global state."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from app.db import MIGRATIONS_DIR, dialect_of

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_every_dialect_has_a_history() -> None:
    for dialect in ("sqlite", "postgres"):
        assert list((MIGRATIONS_DIR / dialect / "models").glob("0_*_init.py")), dialect


def test_models_match_the_migrations_of_this_dialect(db: str) -> None:
    result = run_cli("migrations", "check", database_url=db)

    assert result.returncode == 0, result.stderr
    assert f"{dialect_of(db)} migrations match the models" in result.stderr


def test_drift_is_detected(db: str, tmp_path: Path) -> None:
    # given: a copy of the project whose models gained a column without a migration
    copy = tmp_path / "project"
    for part in ("app", "models", "whatsapp", "migrations"):
        shutil.copytree(ROOT / part, copy / part)
    contact = copy / "models" / "contact.py"
    contact.write_text(
        contact.read_text().replace(
            "    last_inbound_at = fields.DatetimeField(null=True)\n",
            "    last_inbound_at = fields.DatetimeField(null=True)\n"
            "    nickname = fields.CharField(max_length=64, null=True)\n",
        )
    )

    # when
    env = {**os.environ, "DATABASE_URL": db, "PYTHONPATH": str(copy)}
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "migrations", "check"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    # then
    assert result.returncode == 1, result.stderr
    assert "models changed without a" in result.stderr
