"""`POST /flows/{flow}`: the WhatsApp Flows data-exchange endpoint (the logic is in
`whatsapp.flows.endpoint`; this face reads the body within its limit and writes the answer)."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from webhooks.whatsapp import read_bounded
from whatsapp.flows.endpoint import FlowEndpoint, answer


@dataclass(frozen=True, slots=True)
class FlowsRoute:
    endpoint: FlowEndpoint
    max_bytes: int

    def routes(self, path: str = "/flows/{flow}") -> list[Route]:
        return [Route(path, self.receive, methods=["POST"])]

    async def receive(self, request: Request) -> Response:
        body = await read_bounded(request, self.max_bytes)
        if body is None:
            return PlainTextResponse("Payload too large", status_code=413)
        flow = str(request.path_params["flow"])
        result = await answer(self.endpoint, flow, body, request.headers.get("x-hub-signature-256"))
        return PlainTextResponse(result.body, status_code=result.status)
