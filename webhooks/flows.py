"""`POST /flows/{flow}`: the WhatsApp Flows data-exchange endpoint (the logic is in
`whatsapp.flows.endpoint`; this face reads the body within its limit and writes the answer)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from webhooks.bodies import BodyRefused, Door
from webhooks.unavailable import database_unavailable
from whatsapp.flows.endpoint import FlowEndpoint, answer
from whatsapp.kit.outages import is_database_outage

log = logging.getLogger("wagraph.flows")


@dataclass(frozen=True, slots=True)
class FlowsRoute:
    endpoint: FlowEndpoint
    door: Door
    """How a body is read before its signature is checked (size, shared budget, time)."""
    retry_after_s: int = 5
    """The Retry-After of the 503 answered while the database cannot be reached."""

    def routes(self, path: str = "/flows/{flow}") -> list[Route]:
        return [Route(path, self.receive, methods=["POST"])]

    async def receive(self, request: Request) -> Response:
        """The body is held against the shared budget of unverified bodies until the
        endpoint has answered (the signature is checked first thing there)."""
        flow = str(request.path_params["flow"])
        signature = request.headers.get("x-hub-signature-256")
        try:
            async with self.door.read(request) as body:
                result = await answer(self.endpoint, flow, body, signature)
        except BodyRefused as refused:
            return refused.response()
        except Exception as exc:
            if not is_database_outage(exc):
                raise
            # Nothing of the step was stored (each is one transaction): WhatsApp may retry it.
            log.warning("flows request answered 503: the database is unreachable (%s)", exc)
            return database_unavailable(self.retry_after_s)
        return PlainTextResponse(result.body, status_code=result.status)
