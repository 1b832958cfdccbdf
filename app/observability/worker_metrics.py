"""A worker's Prometheus metrics on its own port (WAGRAPH_WORKER_METRICS_PORT, bound to
WAGRAPH_HOST): what this worker counted — sends, Graph API latency, rate-limit waits,
automation runs. The backlog gauges are the server's `/metrics` (one reading for everyone).

Served by a small threaded WSGI server beside the worker's event loop, so a scrape never waits
for the loop; with WAGRAPH_METRICS_TOKEN set it needs the same Bearer token as the server's
`/metrics` (401 otherwise).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import REGISTRY, make_wsgi_app

from app.bearer import presents

log = logging.getLogger("wagraph.metrics")

StartResponse = Callable[..., Any]


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # a line per scrape is noise
        pass


def guarded(app: Callable[..., Iterable[bytes]], token: str | None) -> Callable[..., Any]:
    """`app`, behind `Authorization: Bearer <token>` when a token is set."""
    if not token:
        return app
    expected = token.encode()

    def check(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if presents(environ.get("HTTP_AUTHORIZATION"), expected):
            return app(environ, start_response)
        start_response(
            "401 Unauthorized",
            [("Content-Type", "application/json"), ("WWW-Authenticate", "Bearer")],
        )
        return [b'{"error": "unauthorized", "message": "needs WAGRAPH_METRICS_TOKEN"}']

    return check


class MetricsServer:
    """The running server; `stop()` closes its port."""

    def __init__(self, host: str, port: int, token: str | None) -> None:
        app = guarded(make_wsgi_app(REGISTRY), token)
        self.httpd = make_server(host, port, app, _Server, handler_class=_Quiet)
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, name="wagraph-metrics", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)


def start_worker_metrics(host: str, port: int | None, token: str | None) -> MetricsServer | None:
    """The worker's metrics port, or None (not asked for, or the port is taken: one line says
    so and the worker runs on without it)."""
    if port is None:
        return None
    try:
        server = MetricsServer(host, port, token)
    except OSError as exc:
        log.error(
            "WAGRAPH_WORKER_METRICS_PORT: cannot serve metrics on %s:%d (%s); "
            "the worker runs without them",
            host,
            port,
            exc.strerror or exc,
        )
        return None
    log.info("worker metrics on http://%s:%d/metrics", host, server.port)
    return server
