"""The Starlette app, its lifespan, and the standalone uvicorn runner the CLI calls."""

from __future__ import annotations

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
    """Run the sandbox until interrupted (what `wagraph sandbox` calls)."""
    await make_server(config, host, port).serve()
