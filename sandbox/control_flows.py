"""`/_sandbox/flows/…`: a customer opens a Flow and walks through it (`flows_client`).

- `POST /flows/run` — run a Flow against its endpoint; answers the whole transcript.
- `POST /flows/ping` — WhatsApp's health check against an endpoint.
- `GET /flows` — the flow messages sent so far, where each run stopped, the keys clients hold.

Which Flow: `flow_token` names one (a flow message sent through `/messages`, or any token at
all), or the last flow message sent to `customer` (of `flow`, when given) is opened. Which
endpoint: `endpoint`, else the `flows_endpoint` config with `{flow}` replaced by the flow's name.
Errors are `{"error": …}`: 400 for a body that cannot run, 404 for no such customer or flow
message, 409 when the number has no business public key yet.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from sandbox.control import ControlError, control_endpoint, read_body
from sandbox.flow_messages import SentFlow
from sandbox.flows_client import Endpoint, NoPublicKey, RunSpec, ping, run_flow
from sandbox.flows_crypto import sign_flow_token
from sandbox.flows_script import Script
from sandbox.inbound import UnknownCustomer, customer_for
from sandbox.state import Sandbox

RUN_KEYS = frozenset(
    {
        "flow_token",
        "customer",
        "flow",
        "endpoint",
        "phone_number_id",
        "flow_action",
        "screen",
        "data",
        "script",
        "version",
        "flow_token_signature",
        "hub_signature",
        "client_key",
        "resume",
        "max_steps",
    }
)
PING_KEYS = frozenset({"flow", "endpoint", "phone_number_id", "hub_signature", "client_key"})
HUB_SIGNATURES = ("valid", "invalid", "missing")
CLIENT_KEYS = ("cached", "current", "previous")
VERSIONS = ("3.0", "4.0")
MAX_STEPS = 200


async def run(request: Request, sb: Sandbox) -> Any:
    body = await read_body(request)
    _known(body, RUN_KEYS)
    spec = build_spec(sb, body)
    try:
        return await run_flow(sb, spec)
    except NoPublicKey as exc:
        raise ControlError(str(exc), 409) from None


async def health_check(request: Request, sb: Sandbox) -> Any:
    body = await read_body(request)
    _known(body, PING_KEYS)
    pnid = _phone_number_id(sb, body, None)
    endpoint = Endpoint(
        _endpoint_url(sb, body, _text(body, "flow")),
        pnid,
        _choice(body, "hub_signature", HUB_SIGNATURES, "valid"),
        sb.config.flows_timeout_s,
    )
    try:
        result = await ping(sb, endpoint)
    except NoPublicKey as exc:
        raise ControlError(str(exc), 409) from None
    return {"healthy": result.healthy, "error": result.error, "steps": result.steps}


async def overview(request: Request, sb: Sandbox) -> Any:
    flows = sb.flows
    return {
        "messages": [sent.public() for sent in flows.sent.all()],
        "runs": {
            token: {"screen": state.screen, "data": state.data, "status": state.status}
            for token, state in flows.runs.items()
        },
        "client_keys": {pnid: key.fingerprint for pnid, key in flows.client_keys.items()},
    }


def build_spec(sb: Sandbox, body: dict[str, Any]) -> RunSpec:
    """The run a control body asks for, every default resolved; ControlError when it cannot."""
    sent = _sent_flow(sb, body)
    token = _text(body, "flow_token") or (sent.flow_token if sent else None)
    assert token is not None  # _sent_flow found a message or the body named a token
    flow = _text(body, "flow") or (sent.flow if sent else None)
    endpoint = Endpoint(
        _endpoint_url(sb, body, flow),
        _phone_number_id(sb, body, sent),
        _choice(body, "hub_signature", HUB_SIGNATURES, "valid"),
        sb.config.flows_timeout_s,
    )
    version = _choice(body, "version", VERSIONS, "3.0")
    spec = RunSpec(
        endpoint=endpoint,
        flow_token=token,
        customer=_customer(sb, body, sent),
        context_id=sent.wamid if sent else None,
        flow_action=_choice(
            body, "flow_action", ("data_exchange", "navigate"), sent.flow_action if sent else None
        )
        or "data_exchange",
        screen=body.get("screen", sent.screen if sent else None),
        data=body.get("data", sent.data if sent else {}),
        script=Script(body.get("script")),
        version=version,
        token_signature=_token_signature(sb, body, token, version),
        client_key=_choice(body, "client_key", CLIENT_KEYS, "cached"),
        max_steps=_max_steps(body),
    )
    _check_start(sb, body, spec)
    return spec


def _check_start(sb: Sandbox, body: dict[str, Any], spec: RunSpec) -> None:
    """Where the customer starts: a resumed run's screen, or a navigate flow's first screen."""
    resume = body.get("resume", False)
    if not isinstance(resume, bool):
        raise ControlError("resume must be a boolean")
    if resume:
        state = sb.flows.runs.get(spec.flow_token)
        if state is None or state.screen is None:
            raise ControlError(f"no run of flow token {spec.flow_token!r} to resume")
        if state.status == "completed":
            raise ControlError(f"the flow of token {spec.flow_token!r} was completed")
        spec.resume, spec.screen, spec.data = True, state.screen, dict(state.data)
        return
    if spec.screen is not None and not isinstance(spec.screen, str):
        raise ControlError("screen must be a string")
    if not isinstance(spec.data, dict):
        raise ControlError("data must be an object")
    if spec.flow_action == "navigate" and not spec.screen:
        raise ControlError("a navigate flow opens on a screen: give screen (and data)")


def _sent_flow(sb: Sandbox, body: dict[str, Any]) -> SentFlow | None:
    token = _text(body, "flow_token")
    if token is not None:
        return sb.flows.sent.get(token)
    ref = _text(body, "customer")
    if ref is None:
        raise ControlError("give flow_token, or customer to open the last flow message sent")
    chat = _lookup(sb, ref).wa_id
    flow = _text(body, "flow")
    sent = sb.flows.sent.latest(chat, flow)
    if sent is None:
        of = f" of flow {flow!r}" if flow else ""
        raise ControlError(f"no flow message{of} with a flow token was sent to {ref}", 404)
    return sent


def _customer(sb: Sandbox, body: dict[str, Any], sent: SentFlow | None) -> str | None:
    ref = _text(body, "customer")
    if ref is not None:
        _lookup(sb, ref)
        return ref
    return sent.chat if sent else None


def _lookup(sb: Sandbox, ref: str) -> Any:
    try:
        return customer_for(sb, ref)
    except UnknownCustomer as exc:
        raise ControlError(str(exc), 404) from None


def _phone_number_id(sb: Sandbox, body: dict[str, Any], sent: SentFlow | None) -> str:
    pnid = _text(body, "phone_number_id") or (sent.phone_number_id if sent else None)
    pnid = pnid or sb.config.default_phone_number_id
    if pnid not in sb.config.phone_numbers:
        raise ControlError(f"unknown phone_number_id {pnid}")
    return pnid


def _endpoint_url(sb: Sandbox, body: dict[str, Any], flow: str | None) -> str:
    url = _text(body, "endpoint")
    template = sb.config.flows_endpoint
    if url is None and template is not None and (flow is not None or "{flow}" not in template):
        url = template.replace("{flow}", flow or "")
    if url is None:
        raise ControlError(
            "endpoint is required (or set flows_endpoint, e.g. "
            '"http://127.0.0.1:8000/flows/{flow}", and name the flow)'
        )
    if not url.startswith(("http://", "https://")):
        raise ControlError("endpoint must be an http(s) URL")
    return url


def _token_signature(sb: Sandbox, body: dict[str, Any], token: str, version: str) -> str | None:
    """Data API 4.0 requests carry Meta's signature of the token; a body may send its own
    (a tampered one) or none (`null`)."""
    if "flow_token_signature" in body:
        given = body["flow_token_signature"]
        if given is not None and not isinstance(given, str):
            raise ControlError("flow_token_signature must be a string or null")
        return given
    return sign_flow_token(token, sb.config.app_secret) if version == "4.0" else None


def _max_steps(body: dict[str, Any]) -> int:
    value = body.get("max_steps", 25)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_STEPS:
        raise ControlError(f"max_steps must be an integer from 1 to {MAX_STEPS}")
    return value


def _text(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise ControlError(f"{key} must be a non-empty string")
    return value


def _choice(body: dict[str, Any], key: str, allowed: tuple[str, ...], default: Any) -> Any:
    value = body.get(key, default)
    if value is not None and value not in allowed:
        raise ControlError(f"{key} must be one of {list(allowed)}")
    return value


def _known(body: dict[str, Any], keys: frozenset[str]) -> None:
    unknown = sorted(set(body) - keys)
    if unknown:
        raise ControlError(f"unknown keys {unknown}; known: {sorted(keys)}")


def flow_routes() -> list[BaseRoute]:
    return [
        Route("/flows/run", control_endpoint(run), methods=["POST"]),
        Route("/flows/ping", control_endpoint(health_check), methods=["POST"]),
        Route("/flows", control_endpoint(overview), methods=["GET"]),
    ]
