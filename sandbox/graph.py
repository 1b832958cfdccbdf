"""The Graph API face: version prefix, auth, fault injection, dispatch, recording, envelopes.

Every Graph request goes through `graph_endpoint`, so auth, faults, error rendering and the
accepted-request log behave identically for messages, media and templates.
"""

from __future__ import annotations

import asyncio
import hmac
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from sandbox.errors import GraphError, bad_param, object_not_found, unknown_path
from sandbox.recording import RECORDED_HEADERS, RecordedRequest
from sandbox.state import Sandbox

VERSION_RE = re.compile(r"^v\d+\.\d+$")
DEFAULT_VERSION = "v23.0"


class ORJSONResponse(Response):
    """JSON via orjson: the send path answers thousands of requests a second."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


@dataclass(slots=True)
class GraphCall:
    """One Graph request as handlers see it; handlers fill `json`/`form` for the record."""

    request: Request
    sandbox: Sandbox
    version: str
    node: str
    edge: str | None
    method: str
    json: Any = None
    form: dict[str, Any] | None = None
    message: dict[str, Any] | None = None  # a send's summary for the accepted-request log

    async def json_body(self) -> Any:
        raw = await self.request.body()
        try:
            self.json = orjson.loads(raw) if raw else {}
        except orjson.JSONDecodeError as exc:
            raise bad_param("Request body is not valid JSON") from exc
        return self.json

    @property
    def query(self) -> Any:
        return self.request.query_params


Handler = Callable[[GraphCall], Awaitable[Any]]
Resolver = Callable[[GraphCall], Handler | None]


def access_token(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() in ("bearer", "oauth") and value.strip():
            return value.strip()
    return request.query_params.get("access_token") or None


def authenticate(sb: Sandbox, request: Request) -> None:
    """Code 190 for a missing or wrong token, HTTP 401, like Graph."""
    token = access_token(request)
    if token is None:
        raise GraphError(
            190,
            "No access token: send 'Authorization: Bearer <token>' or '?access_token='",
            message="An active access token must be used to query information about the "
            "current user.",
        )
    if not hmac.compare_digest(token.encode(), sb.config.access_token.encode()):
        raise GraphError(
            190,
            "The access token could not be decrypted",
            message="Invalid OAuth access token - Cannot parse access token",
        )


def error_response(sb: Sandbox, request: Request, exc: GraphError, version: str) -> Response:
    trace = sb.ids.fbtrace()
    sb.stats_counters.error(request.method, request.url.path, exc.status, exc.code, exc.details)
    headers = {
        "facebook-api-version": version,
        "www-authenticate": f'OAuth "Facebook Platform" "invalid_request" "{exc.message}"',
        "x-fb-trace-id": trace,
        "x-fb-request-id": trace,
    }
    return ORJSONResponse(exc.body(trace), status_code=exc.status, headers=headers)


def make_endpoint(resolve: Resolver) -> Callable[[Request], Awaitable[Response]]:
    """The Starlette endpoint for `/{version}/{node}[/{edge}]`."""

    async def graph_endpoint(request: Request) -> Response:
        sb: Sandbox = request.app.state.sandbox
        params = request.path_params
        version = params["version"]
        reply_version = version if VERSION_RE.fullmatch(version) else DEFAULT_VERSION
        call = GraphCall(request, sb, version, params["node"], params.get("edge"), request.method)
        try:
            if reply_version != version:
                raise unknown_path(request.url.path)
            authenticate(sb, request)
            fault = sb.faults.next_fault(request.method, request.url.path)
            if fault is not None:
                sb.stats_counters.faulted += 1
                raise await sb.faults.apply(fault)
            handler = resolve(call)
            if handler is None:
                if call.edge is None:
                    raise object_not_found(request.method, call.node)
                raise unknown_path(f"/{call.edge}")
            body = await handler(call)
            if sb.config.response_delay_s:
                await asyncio.sleep(sb.config.response_delay_s)
        except GraphError as exc:
            return error_response(sb, request, exc, reply_version)
        record(sb, request, call.json, call.form, 200, body, message=call.message)
        return ORJSONResponse(body, headers={"facebook-api-version": reply_version})

    return graph_endpoint


def record(
    sb: Sandbox,
    request: Request,
    json: Any,
    form: dict[str, Any] | None,
    status: int,
    response: Any,
    *,
    message: dict[str, Any] | None = None,
) -> None:
    sb.stats_counters.accepted += 1
    headers = {k: v for k, v in request.headers.items() if k in RECORDED_HEADERS}
    sb.requests.append(
        RecordedRequest(
            method=request.method,
            path=request.url.path,
            query={k: v for k, v in request.query_params.items() if k != "access_token"},
            headers=headers,
            json=json,
            form=form,
            status=status,
            response=response,
            message=message,
        )
    )


async def unknown_route(request: Request) -> Response:
    """Anything that is not a Graph path: Graph's own answer for unknown paths."""
    sb: Sandbox = request.app.state.sandbox
    return error_response(sb, request, unknown_path(request.url.path), DEFAULT_VERSION)
