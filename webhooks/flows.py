"""`POST /flows/{flow}`: the WhatsApp Flows data-exchange endpoint (the logic is in
`whatsapp.flows.endpoint`; this face reads the body within its limit and writes the answer)."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from webhooks.bodies import BodyRefused, Door
from whatsapp.flows.endpoint import FlowEndpoint, answer


@dataclass(frozen=True, slots=True)
class FlowsRoute:
    endpoint: FlowEndpoint
    door: Door
    """How a body is read before its signature is checked (size, shared budget, time)."""

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
        return PlainTextResponse(result.body, status_code=result.status)
