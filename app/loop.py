"""The event loop wagraph's long-running processes run on: uvloop where it is installed.

`uvicorn[standard]` brings uvloop (not on Windows). uvicorn would choose it itself, but
`wagraph serve` runs uvicorn's servers inside its own `asyncio` run (the app and the sandbox
side by side, on sockets bound before anything starts), so the choice is made here: `run` is
`asyncio.run` on a uvloop loop, and `new_event_loop` gives arq's worker one. uvloop's loop
spends less CPU per socket read and timer than the standard one (measured in bench/send.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def _factory() -> Callable[[], asyncio.AbstractEventLoop]:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is installed wherever wagraph is
        return asyncio.new_event_loop
    return uvloop.new_event_loop


def name() -> str:
    """Which loop this process runs on, for the banner."""
    return "uvloop" if _factory() is not asyncio.new_event_loop else "asyncio"


def new_event_loop() -> asyncio.AbstractEventLoop:
    return _factory()()


def run(main: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run(main)`, on uvloop when it is installed."""
    with asyncio.Runner(loop_factory=_factory()) as runner:
        return runner.run(main)
