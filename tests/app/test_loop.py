"""Long-running processes run on uvloop (installed with uvicorn[standard])."""

from __future__ import annotations

import asyncio

import uvloop

from app import loop


def test_run_uses_uvloop() -> None:
    async def which() -> type:
        return type(asyncio.get_running_loop())

    assert loop.run(which()) is uvloop.Loop
    assert loop.name() == "uvloop"


def test_a_worker_gets_a_uvloop_loop() -> None:
    fresh = loop.new_event_loop()
    try:
        assert isinstance(fresh, uvloop.Loop)
    finally:
        fresh.close()
