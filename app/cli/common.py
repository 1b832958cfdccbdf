"""What every `wagraph` command shares: the console, logging, and opening the core for a run.

Each command imports its heavy dependencies inside its function, so `wagraph --help` (and any
one command) loads only what it uses.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from rich.console import Console

from app.settings import Settings

if TYPE_CHECKING:
    from whatsapp.runtime import Runtime

T = TypeVar("T")

# Progress and messages go to stderr; stdout is kept for what a script may capture (a key, SDL).
console = Console(stderr=True, soft_wrap=True)


def setup_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request is noise


async def with_db(settings: Settings, work: Callable[[], Awaitable[T]]) -> T:
    """Open the database, run `work`, close the database."""
    from app.db import close_db, init_db

    await init_db(settings.database_url)
    try:
        return await work()
    finally:
        await close_db()


async def with_runtime(settings: Settings, work: Callable[[Runtime], Awaitable[T]]) -> T:
    """Like `with_db`, for work that needs the core's runtime (closed afterwards too)."""
    from app.runtime import build_runtime

    async def run() -> T:
        rt = build_runtime(settings)
        try:
            return await work(rt)
        finally:
            await rt.aclose()

    return await with_db(settings, run)
