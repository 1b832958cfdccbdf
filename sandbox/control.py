"""`/_sandbox/*`: the test and demo controls (no Graph auth; plain JSON, not Meta's shapes).

Inspect traffic, reset state, queue faults, tune knobs, change templates "upstream" (status,
category updates); customers live in `control_customers`. Control errors are
`{"error": "<what is wrong>"}` with 400/404.
"""

from __future__ import annotations

from typing import Any

import httpx
import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from sandbox import payloads
from sandbox.errors import GraphError
from sandbox.faults import FaultSpec
from sandbox.graph import ORJSONResponse
from sandbox.routes import template_event
from sandbox.state import Sandbox
from sandbox.template_create import check_definition
from sandbox.templates import CATEGORIES, STATUSES, StoredTemplate

MAX_DRAIN_S = 60.0


class ControlError(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _sandbox(request: Request) -> Sandbox:
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox


async def read_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ControlError("body is not valid JSON") from exc
    if not isinstance(body, dict):
        raise ControlError("body must be a JSON object")
    return body


def control_endpoint(handler: Any) -> Any:
    """Turn `ControlError`/`ValueError`/`GraphError` into `{"error": ...}` answers."""

    async def endpoint(request: Request) -> Response:
        try:
            result = await handler(request, _sandbox(request))
        except ControlError as exc:
            return ORJSONResponse({"error": exc.message}, status_code=exc.status)
        except GraphError as exc:
            return ORJSONResponse(
                {"error": exc.details or exc.message, "code": exc.code}, status_code=400
            )
        except ValueError as exc:
            return ORJSONResponse({"error": str(exc)}, status_code=400)
        if isinstance(result, Response):
            return result
        return ORJSONResponse(result)

    endpoint.__name__ = handler.__name__
    return endpoint


# -- traffic and state -----------------------------------------------------------------------


async def list_requests(request: Request, sb: Sandbox) -> Any:
    path_contains = request.query_params.get("path_contains")
    method = (request.query_params.get("method") or "").upper() or None
    items = [
        r.public()
        for r in sb.requests
        if (path_contains is None or path_contains in r.path)
        and (method is None or r.method == method)
    ]
    return {"requests": items, "count": len(items)}


async def clear_requests(request: Request, sb: Sandbox) -> Any:
    cleared = len(sb.requests)
    sb.requests.clear()
    return {"cleared": cleared}


async def reset(request: Request, sb: Sandbox) -> Any:
    sb.reset()
    return {"reset": True}


async def stats(request: Request, sb: Sandbox) -> Any:
    return sb.stats()


async def errors(request: Request, sb: Sandbox) -> Any:
    return {"errors": list(sb.stats_counters.recent_errors)}


async def webhook_log(request: Request, sb: Sandbox) -> Any:
    return {"webhooks": list(sb.webhooks.log)}


async def drain(request: Request, sb: Sandbox) -> Any:
    raw = request.query_params.get("timeout", "5")
    try:
        timeout = min(float(raw), MAX_DRAIN_S)
    except ValueError as exc:
        raise ControlError("timeout must be a number of seconds") from exc
    drained = await sb.drain(timeout)
    return {"drained": drained, "webhooks": sb.webhooks.stats()}


async def health(request: Request, sb: Sandbox) -> Any:
    return {"ok": True}


# -- faults ----------------------------------------------------------------------------------


async def get_faults(request: Request, sb: Sandbox) -> Any:
    return sb.faults.state()


async def set_faults(request: Request, sb: Sandbox) -> Any:
    """`{"queue": [...], "path_contains": "messages"}` and/or `{"rate": 0.3, "kind": "5xx"}`."""
    body = await read_body(request)
    path_contains = body.get("path_contains")
    method = body.get("method")
    queue = body.get("queue", [])
    if not isinstance(queue, list):
        raise ControlError("queue must be an array")
    specs = [FaultSpec.parse(raw, path_contains=path_contains, method=method) for raw in queue]
    knobs: dict[str, Any] = {}
    if "rate" in body:
        knobs["fault_rate"] = body["rate"]
    if "kind" in body:
        knobs["fault_kind"] = body["kind"]
    if "error_code" in body:
        knobs["fault_error_code"] = body["error_code"]
    if "timeout_s" in body:
        knobs["fault_timeout_s"] = body["timeout_s"]
    sb.config.update(knobs)
    if "rate" in body:
        sb.faults.rate_path_contains = path_contains
    sb.faults.enqueue(specs)
    return sb.faults.state()


async def clear_faults(request: Request, sb: Sandbox) -> Any:
    sb.faults.clear()
    return sb.faults.state()


# -- config ----------------------------------------------------------------------------------


async def get_config(request: Request, sb: Sandbox) -> Any:
    return sb.config.public()


async def put_config(request: Request, sb: Sandbox) -> Any:
    sb.config.update(await read_body(request))
    return sb.config.public()


# -- templates "upstream" --------------------------------------------------------------------


async def put_template(request: Request, sb: Sandbox) -> Any:
    """Add or replace a template directly; a status change on an existing one sends a webhook."""
    body = await read_body(request)
    definition = check_definition(body)
    status = body.get("status", "APPROVED")
    if status not in STATUSES:
        raise ControlError(f"status must be one of {sorted(STATUSES)}")
    existing = sb.templates.get(definition["name"], definition["language"])
    template_id = str(body.get("id") or (existing.data["id"] if existing else sb.ids.numeric(15)))
    data = {
        "id": template_id,
        **definition,
        "status": status,
        "quality_score": body.get("quality_score")
        or {"score": "GREEN" if status == "APPROVED" else "UNKNOWN", "date": int(sb.now())},
        "rejected_reason": body.get("rejected_reason", "NONE"),
    }
    stored = sb.templates.put(data)
    if existing is not None and existing.data["status"] != status:
        _announce(sb, stored, status)
    return ORJSONResponse(stored.data, status_code=200 if existing else 201)


def template_targets(sb: Sandbox, name: str, language: Any) -> list[StoredTemplate]:
    """Every language of `name`, or just `language`; 404 when none."""
    if language is not None and not isinstance(language, str):
        raise ControlError("language must be a string like en_US")
    languages = [language] if language else sb.templates.languages_of(name)
    targets = [t for t in (sb.templates.get(name, lang) for lang in languages) if t is not None]
    if not targets:
        raise ControlError(f"no template named {name!r}", 404)
    return targets


async def patch_template(request: Request, sb: Sandbox) -> Any:
    """Change status / category / quality of one name (all languages, or `language`)."""
    body = await read_body(request)
    targets = template_targets(sb, request.path_params["name"], body.get("language"))
    status = body.get("status")
    if status is not None and status not in STATUSES:
        raise ControlError(f"status must be one of {sorted(STATUSES)}")
    for stored in targets:
        if "category" in body:
            stored.data["category"] = body["category"]
        if "quality_score" in body:
            stored.data["quality_score"] = {"score": body["quality_score"], "date": int(sb.now())}
        if status is not None and status != stored.data["status"]:
            sb.templates.set_status(stored, status)
            _announce(sb, stored, status)
    return {"templates": [t.data for t in targets]}


IMPENDING_NOTICE_S = 24 * 3600


async def change_category(request: Request, sb: Sandbox) -> Any:
    """§11.6 `template_category_update`: `{"category", "stage"?, "language"?, "effective_at"?}`.

    `stage: "impending"` only announces (`correct_category`, `category_update_timestamp` =
    `effective_at`, default now + 24 h; the category stays); `"completed"` (default) changes
    it now and announces `previous_category` / `new_category`.
    """
    body = await read_body(request)
    category = body.get("category")
    if category not in CATEGORIES:
        raise ControlError(f"category must be one of {sorted(CATEGORIES)}")
    stage = body.get("stage", "completed")
    if stage not in ("impending", "completed"):
        raise ControlError('stage must be "impending" or "completed"')
    effective_at = body.get("effective_at", int(sb.now()) + IMPENDING_NOTICE_S)
    if isinstance(effective_at, bool) or not isinstance(effective_at, int):
        raise ControlError("effective_at must be unix seconds")
    targets = template_targets(sb, request.path_params["name"], body.get("language"))
    if any(t.data["category"] == category for t in targets):
        raise ControlError(f"the template is already {category}")
    events = []
    for stored in targets:
        impending = effective_at if stage == "impending" else None
        value = payloads.category_update_value(
            stored.data, new_category=category, impending_at=impending
        )
        if stage == "completed":
            stored.data["previous_category"] = stored.data["category"]
            stored.data["category"] = category
        payload = payloads.envelope(
            sb.config.waba_id, "template_category_update", value, time=int(sb.now())
        )
        if sb.config.webhook_url is not None:
            sb.webhooks.send(payload)
        events.append(payload)
    return {"templates": [t.data for t in targets], "webhooks": events}


def _announce(sb: Sandbox, stored: Any, status: str) -> None:
    if sb.config.webhook_url is not None:
        sb.webhooks.send(template_event(sb, stored, status))


async def delete_template(request: Request, sb: Sandbox) -> Any:
    name = request.path_params["name"]
    language = request.query_params.get("language")
    doomed = [
        t
        for t in (sb.templates.get(name, lang) for lang in sb.templates.languages_of(name))
        if t is not None and (language is None or t.data["language"] == language)
    ]
    if not doomed:
        raise ControlError(f"no template named {name!r}", 404)
    for stored in doomed:
        sb.templates.delete(name, stored.data["id"])
    return {"deleted": len(doomed)}


# -- webhook handshake -----------------------------------------------------------------------


async def verify_webhook(request: Request, sb: Sandbox) -> Any:
    """Perform Meta's GET handshake (§7.1) against `webhook_url` and report the outcome."""
    body = await read_body(request)
    url = body.get("url") or sb.config.webhook_url
    if not url:
        raise ControlError("no webhook_url configured")
    token = body.get("verify_token", "")
    challenge = str(body.get("challenge", "1158201444"))
    params = {"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": challenge}
    try:
        response = await sb.webhooks.client.get(url, params=params)
    except httpx.HTTPError as exc:
        return {"verified": False, "error": repr(exc)}
    return {
        "verified": response.status_code == 200 and response.text == challenge,
        "status": response.status_code,
        "body": response.text[:1000],
    }


def control_routes() -> list[BaseRoute]:
    def route(path: str, handler: Any, *methods: str) -> Route:
        return Route(path, control_endpoint(handler), methods=list(methods))

    return [
        route("/requests", list_requests, "GET"),
        route("/requests", clear_requests, "DELETE"),
        route("/reset", reset, "POST"),
        route("/stats", stats, "GET"),
        route("/errors", errors, "GET"),
        route("/webhooks", webhook_log, "GET"),
        route("/webhooks/verify", verify_webhook, "POST"),
        route("/drain", drain, "POST"),
        route("/health", health, "GET"),
        route("/faults", get_faults, "GET"),
        route("/faults", set_faults, "POST"),
        route("/faults", clear_faults, "DELETE"),
        route("/config", get_config, "GET"),
        route("/config", put_config, "PUT"),
        route("/templates", put_template, "POST"),
        route("/templates/{name}", patch_template, "PATCH"),
        route("/templates/{name}", delete_template, "DELETE"),
        route("/templates/{name}/category", change_category, "POST"),
    ]
