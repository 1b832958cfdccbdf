"""The reliability suite: real `wagraph` processes and the sandbox as Meta in processes of
their own, stopped the way deploys and crashes stop them, on throwaway Redis and PostgreSQL
servers for whatever a test breaks.

Deselected unless WAGRAPH_RELIABILITY=1 (`tests/conftest.py`); when selected, a missing
service or binary fails every test with one line saying what to install or set.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.processes import Processes
from tests.reliability.deployment import require_services


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before any fixture (opening the database is one): a missing service or binary fails
    the test with one line saying what is missing."""
    require_services()


@pytest.fixture
def services() -> tuple[str, str]:
    """(DATABASE_URL, REDIS_URL) of the shared services: only for what a test never stops."""
    return require_services()


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    """This test's processes, every one killed at its end, whatever happened."""
    with Processes(tmp_path) as group:
        yield group
