"""The WhatsApp client in a Flow: it talks to the business's Flows endpoint as a phone does.

Every request is encrypted with the business public key the client holds for the number (§8.3:
fresh AES-128 key, RSA-OAEP-SHA256, AES-GCM with the tag appended, base64 fields), signed with
`X-Hub-Signature-256` (the app secret, as webhooks are) and POSTed; the answer is opened with the
flipped IV (§8.4). On a 421 the client fetches the number's current key and sends the request
once more, as WhatsApp does; a 427 (token no longer valid), a 432 (signature refused), another
status, an unreachable endpoint or an answer it cannot read ends the run. It follows the screens
the endpoint returns, doing what the script says on each (`flows_script`), and when the endpoint
closes the Flow (`screen: "SUCCESS"` with `extension_message_response.params`) the customer's
chat gets the completion message: an `nfm_reply` webhook whose `response_json` is those params.

The sandbox does not read Flow JSON: every submission goes to the endpoint as `data_exchange`.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

from sandbox import inbound
from sandbox.encryption_keys import BusinessKey
from sandbox.flow_messages import RunState
from sandbox.flows_crypto import Sealed, open_response, seal_request
from sandbox.flows_script import BACK, ERROR, Script, ScriptMismatch, Step
from sandbox.webhooks import SIGNATURE_HEADER, USER_AGENT, sign

if TYPE_CHECKING:
    from sandbox.state import Sandbox

STOPS = {421: "decrypt_failed", 427: "token_invalid", 432: "signature_rejected"}
FINAL_SCREEN = "SUCCESS"
BODY_EXCERPT = 500


class NoPublicKey(Exception):
    """The client has no business public key for the number (none was uploaded)."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    url: str
    phone_number_id: str
    hub_signature: str = "valid"  # "valid", "invalid" (wrong secret) or "missing"
    timeout_s: float = 10.0


@dataclass(slots=True)
class RunSpec:
    """One customer's walk through a Flow (`control_flows` builds it from the control body)."""

    endpoint: Endpoint
    flow_token: str
    customer: str | None  # who sends the completion message (a number, BSUID or username)
    context_id: str | None  # the flow message's wamid
    flow_action: str  # "data_exchange": INIT first; "navigate": open `screen` with `data`
    screen: str | None
    data: dict[str, Any]
    script: Script
    version: str = "3.0"
    token_signature: str | None = None  # sent as `flow_token_signature` when not None
    client_key: str = "cached"  # "cached", "current" or "previous"
    resume: bool = False
    max_steps: int = 25


@dataclass(slots=True)
class Exchange:
    """One HTTP round trip, as the transcript shows it."""

    request: dict[str, Any]
    status: int | None
    answer: Any = None
    error: str | None = None
    body: str | None = None  # the raw answer when it could not be opened
    retry: bool = False  # the second try after a 421
    public_key: str = ""  # fingerprint of the key the request was encrypted with
    elapsed_ms: float = 0.0

    def public(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "request": self.request,
            "status": self.status,
            "answer": self.answer,
            "retry": self.retry,
            "public_key": self.public_key,
            "elapsed_ms": round(self.elapsed_ms, 2),
        }
        if self.error is not None:
            out["error"] = self.error
        if self.body is not None:
            out["body"] = self.body
        return out


@dataclass(slots=True)
class Outcome:
    status: str
    screen: str | None
    data: dict[str, Any]
    error: str | None = None
    completion: dict[str, Any] | None = None


class FlowClient:
    """Encrypts, signs, posts and opens; keeps the transcript of every exchange."""

    def __init__(self, sb: Sandbox, http: httpx.AsyncClient, endpoint: Endpoint) -> None:
        self.sb = sb
        self.http = http
        self.endpoint = endpoint
        self.steps: list[Exchange] = []

    def key(self, choice: str = "cached") -> BusinessKey:
        """The key the phone encrypts with; fetching one is remembered for the number."""
        pnid = self.endpoint.phone_number_id
        keys, cache = self.sb.encryption_keys, self.sb.flows.client_keys
        if choice == "previous":
            found = keys.previous(pnid)
        elif choice == "current" or pnid not in cache:
            found = keys.current(pnid)
        else:
            found = cache[pnid]
        if found is None:
            which = "a previous" if choice == "previous" else "a"
            raise NoPublicKey(
                f"phone number {pnid} has no {which} business public key: upload one with "
                f"POST /{{version}}/{pnid}/whatsapp_business_encryption"
            )
        cache[pnid] = found
        return found

    async def send(self, request: dict[str, Any], choice: str = "cached") -> Exchange:
        """POST one request; after a 421, fetch the current key and try once more."""
        first = await self._post(request, self.key(choice), retry=False)
        if first.status != 421:
            return first
        return await self._post(request, self.key("current"), retry=True)

    async def _post(self, request: dict[str, Any], key: BusinessKey, *, retry: bool) -> Exchange:
        sealed = seal_request(request, key.key)
        body = json.dumps(sealed.body).encode()
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
        secret = self.sb.config.app_secret
        if self.endpoint.hub_signature == "valid":
            headers[SIGNATURE_HEADER] = sign(body, secret)
        elif self.endpoint.hub_signature == "invalid":
            headers[SIGNATURE_HEADER] = sign(body, secret + "-not-the-app-secret")
        started = time.perf_counter()
        try:
            response = await self.http.post(
                self.endpoint.url, content=body, headers=headers, timeout=self.endpoint.timeout_s
            )
        except httpx.HTTPError as exc:
            exchange = Exchange(request, None, error=f"{type(exc).__name__}: {exc}")
        else:
            exchange = _read(request, response, sealed)
        exchange.retry, exchange.public_key = retry, key.fingerprint
        exchange.elapsed_ms = (time.perf_counter() - started) * 1000
        self.steps.append(exchange)
        return exchange


def _read(request: dict[str, Any], response: httpx.Response, sealed: Sealed) -> Exchange:
    exchange = Exchange(request, response.status_code)
    text = response.text
    if not text.strip():
        if response.status_code == 200:
            exchange.error = "the answer is empty"
        return exchange
    try:
        exchange.answer = open_response(text, sealed.aes_key, sealed.iv)
    except ValueError as exc:
        exchange.body = text[:BODY_EXCERPT]
        if response.status_code == 200:
            exchange.error = str(exc)
    return exchange


def verdict(exchange: Exchange) -> str | None:
    """Why the run must stop after this exchange; None when it may go on."""
    if exchange.status is None:
        return "unreachable"
    if exchange.status in STOPS:
        return STOPS[exchange.status]
    if exchange.status != 200:
        return "http_error"
    return "bad_response" if exchange.error is not None else None


async def run_flow(
    sb: Sandbox, spec: RunSpec, http: httpx.AsyncClient | None = None
) -> dict[str, Any]:
    """Walk the Flow as the script says; the transcript, the outcome and the completion.

    `http` lets a test reach an in-process endpoint (an ASGI transport); by default a client of
    its own reaches the URL over the network. Raises NoPublicKey before sending anything.
    """
    if http is None:
        async with httpx.AsyncClient(trust_env=False) as own:
            return await run_flow(sb, spec, own)
    client = FlowClient(sb, http, spec.endpoint)
    client.key(spec.client_key)  # no key: nothing is sent
    outcome = await _walk(client, spec)
    if outcome.status == "completed" and outcome.completion is not None:
        outcome.completion = complete(sb, spec, outcome.completion["params"])
    sb.flows.runs[spec.flow_token] = RunState(outcome.screen, outcome.data, outcome.status)
    return {
        "status": outcome.status,
        "flow_token": spec.flow_token,
        "phone_number_id": spec.endpoint.phone_number_id,
        "customer": spec.customer,
        "endpoint": spec.endpoint.url,
        "screen": outcome.screen,
        "data": outcome.data,
        "error": outcome.error,
        "completion": outcome.completion,
        "steps": [step.public() for step in client.steps],
    }


async def _walk(client: FlowClient, spec: RunSpec) -> Outcome:
    screen, data = spec.screen, dict(spec.data)
    choice = spec.client_key
    if spec.flow_action == "data_exchange" and not spec.resume:
        exchange = await client.send(_request(spec, "INIT", "", {}), choice)
        choice = "cached"
        outcome = _follow(exchange, screen, data)
        if outcome is not None:
            return outcome
        screen, data = exchange.answer["screen"], exchange.answer["data"]
    for _ in range(spec.max_steps):
        try:
            step = spec.script.next_for(screen)
        except ScriptMismatch as exc:
            return Outcome("script_mismatch", screen, data, error=str(exc))
        if step is None:
            return Outcome("waiting", screen, data)
        exchange = await client.send(_request_for(spec, step, screen), choice)
        choice = "cached"
        if step.kind == ERROR:
            stop = _acknowledged(exchange)
            if stop is not None:
                return Outcome(stop, screen, data, error=_reason(exchange))
            continue
        outcome = _follow(exchange, screen, data)
        if outcome is not None:
            return outcome
        screen, data = exchange.answer["screen"], exchange.answer["data"]
    return Outcome("max_steps", screen, data, error=f"stopped after {spec.max_steps} steps")


def _follow(exchange: Exchange, screen: str | None, data: dict[str, Any]) -> Outcome | None:
    """None when the answer is a next screen to show; else how the run ends."""
    stop = verdict(exchange)
    if stop is not None:
        return Outcome(stop, screen, data, error=_reason(exchange))
    answer = exchange.answer
    problem = _screen_problem(answer)
    if problem is not None:
        exchange.error = problem
        return Outcome("bad_response", screen, data, error=problem)
    if answer["screen"] == FINAL_SCREEN:
        params = answer["data"]["extension_message_response"]["params"]
        return Outcome("completed", FINAL_SCREEN, answer["data"], completion={"params": params})
    return None


def _acknowledged(exchange: Exchange) -> str | None:
    """An error notification is answered `{"data": {"acknowledged": true}}` (§8.6)."""
    stop = verdict(exchange)
    if stop is None and exchange.answer != {"data": {"acknowledged": True}}:
        exchange.error = 'an error notification is answered {"data": {"acknowledged": true}}'
        stop = "bad_response"
    return stop


def _screen_problem(answer: Any) -> str | None:
    """What makes `answer` neither a next screen nor Meta's final response payload."""
    if not isinstance(answer, dict):
        return "the answer is not a JSON object"
    if not isinstance(answer.get("screen"), str) or not answer["screen"]:
        return "the answer has no screen"
    if not isinstance(answer.get("data"), dict):
        return "the answer has no data object"
    closing = answer["data"].get("extension_message_response")
    if answer["screen"] == FINAL_SCREEN:
        if not isinstance(closing, dict) or not isinstance(closing.get("params"), dict):
            return "screen SUCCESS needs data.extension_message_response.params (an object)"
    elif closing is not None:
        return "extension_message_response closes a Flow only with screen SUCCESS"
    return None


def _reason(exchange: Exchange) -> str:
    if exchange.error is not None:
        return exchange.error
    if isinstance(exchange.answer, dict) and "error_msg" in exchange.answer:
        return f"HTTP {exchange.status}: {exchange.answer['error_msg']}"
    return f"HTTP {exchange.status}"


def _request_for(spec: RunSpec, step: Step, screen: str | None) -> dict[str, Any]:
    if step.kind == BACK:
        return _request(spec, BACK, screen or "", {})
    return _request(spec, "data_exchange", screen or "", step.data)


def _request(spec: RunSpec, action: str, screen: str, data: dict[str, Any]) -> dict[str, Any]:
    """The decrypted request (§8.5), as the client builds it: INIT carries an empty screen and
    data; `flow_token_signature` goes along when the run has one (Data API 4.0)."""
    request: dict[str, Any] = {
        "version": spec.version,
        "action": action,
        "screen": screen,
        "data": data,
        "flow_token": spec.flow_token,
    }
    if spec.token_signature is not None:
        request["flow_token_signature"] = spec.token_signature
    return request


def complete(sb: Sandbox, spec: RunSpec, params: dict[str, Any]) -> dict[str, Any]:
    """The completion message in the customer's chat: `interactive` / `nfm_reply`, replying to
    the flow message (§8.8)."""
    if spec.customer is None:
        return {"params": params, "error": "no customer: the completion webhook was not sent"}
    result = inbound.receive(
        sb,
        spec.customer,
        {
            "type": "interactive",
            "interactive": {
                "type": "nfm_reply",
                "nfm_reply": {"name": "flow", "body": "Sent", "response_json": json.dumps(params)},
            },
            "context": {"id": spec.context_id} if spec.context_id else None,
            "phone_number_id": spec.endpoint.phone_number_id,
        },
    )
    return {
        "params": params,
        "wamid": result["wamid"],
        "context_id": spec.context_id,
        "payload": result["payload"],
    }


@dataclass(slots=True)
class Ping:
    """A health check's result (`control_flows`)."""

    healthy: bool
    steps: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None


async def ping(sb: Sandbox, endpoint: Endpoint, http: httpx.AsyncClient | None = None) -> Ping:
    """WhatsApp's health check: `{"version": "3.0", "action": "ping"}`, answered
    `{"data": {"status": "active"}}` by a healthy endpoint."""
    if http is None:
        async with httpx.AsyncClient(trust_env=False) as own:
            return await ping(sb, endpoint, own)
    client = FlowClient(sb, http, endpoint)
    exchange = await client.send({"version": "3.0", "action": "ping"})
    healthy = exchange.status == 200 and exchange.answer == {"data": {"status": "active"}}
    error = None if healthy else (_reason(exchange) if verdict(exchange) else "not active")
    return Ping(healthy, [step.public() for step in client.steps], error)
