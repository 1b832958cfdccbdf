"""The Starlette app, its lifespan, and the standalone uvicorn runner the CLI calls."""

from __future__ import annotations

import asyncio
import gc
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount, Route

from sandbox.config import SandboxConfig
from sandbox.control import control_routes
from sandbox.control_calls import call_routes
from sandbox.control_customers import customer_routes
from sandbox.control_events import event_routes
from sandbox.control_flows import flow_routes
from sandbox.control_groups import group_routes
from sandbox.graph import make_endpoint, unknown_route
from sandbox.media import DOWNLOAD_PATH
from sandbox.routes import download_media, resolve
from sandbox.state import Sandbox

GRAPH_METHODS = ["GET", "POST", "DELETE", "PUT"]
FREEZE_EVERY_S = 1.0


def build_app(sandbox: Sandbox) -> Starlette:
    """Routes: controls under `/_sandbox`, the media download URL, then Graph paths."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await sandbox.aclose()

    graph = make_endpoint(resolve)
    app = Starlette(
        routes=[
            Mount(
                "/_sandbox",
                routes=control_routes()
                + customer_routes()
                + call_routes()
                + group_routes()
                + event_routes()
                + flow_routes(),
            ),
            Route(DOWNLOAD_PATH, download_media, methods=["GET"]),
            Route("/{version}/{node}/{edge}", graph, methods=GRAPH_METHODS),
            Route("/{version}/{node}", graph, methods=GRAPH_METHODS),
            Route("/{path:path}", unknown_route, methods=GRAPH_METHODS),
        ],
        lifespan=lifespan,
    )
    app.state.sandbox = sandbox
    return app


def create_app(config: SandboxConfig | None = None) -> Starlette:
    """`Sandbox(config).app()`; the sandbox is `app.state.sandbox`."""
    return Sandbox(config).app()


class SandboxServer(uvicorn.Server):
    """uvicorn server that answers held `timeout` faults before waiting for connections."""

    def __init__(self, config: uvicorn.Config, sandbox: Sandbox) -> None:
        super().__init__(config)
        self.sandbox = sandbox

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self.sandbox.release_holds()
        await super().shutdown(sockets)


def make_server(
    config: SandboxConfig | None = None,
    host: str = "127.0.0.1",
    port: int = 8787,
    *,
    log_level: str = "info",
) -> SandboxServer:
    """A ready-to-run uvicorn server for a fresh sandbox (`server.sandbox`)."""
    sandbox = Sandbox(config)
    uv_config = uvicorn.Config(
        sandbox.app(), host=host, port=port, log_level=log_level, access_log=False, ws="none"
    )
    return SandboxServer(uv_config, sandbox)


async def serve(
    config: SandboxConfig | None = None, host: str = "127.0.0.1", port: int = 8787
) -> None:
    """Run the sandbox until interrupted, in a process of its own (what `wagraph sandbox`
    calls): its heap is kept frozen (`keep_heap_frozen`)."""
    keeper = asyncio.create_task(keep_heap_frozen())
    try:
        await make_server(config, host, port).serve()
    finally:
        keeper.cancel()


async def keep_heap_frozen(every_s: float = FREEZE_EVERY_S) -> None:
    """Move what the process holds to the cyclic GC's permanent generation, every `every_s`.

    The sandbox keeps every request it accepted (tests assert on them), so its heap grows with
    the traffic, and each full collection walks all of it. At 100,000 sends that stopped the
    event loop long enough for the requests queued meanwhile to be counted as arriving at
    once, and the 1,000/s window refused them: a bunch that Meta, whose counting does not stop
    for our collector, would not have seen (100,000 sends by two workers: 642 refused before,
    none since). Collections then walk what is new only; what is frozen is never freed, which
    is what the sandbox does with its records anyway."""
    while True:
        await asyncio.sleep(every_s)
        gc.freeze()
