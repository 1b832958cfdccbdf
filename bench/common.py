"""What every benchmark needs: a database of its own, so runs never see each other's rows."""

from __future__ import annotations

import secrets
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit


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
