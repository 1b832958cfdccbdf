"""Graph endpoints by node kind: phone numbers (with their Flows encryption key, §8.1), the WABA,
media and templates (§10).

`resolve` maps (node, edge, method) to a handler; handlers are thin adapters over the domain
modules (`messaging`, `media`, `templates`).
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import Response

from sandbox import messaging, payloads
from sandbox.encryption_keys import get_business_public_key, set_business_public_key
from sandbox.errors import GraphError, bad_param, missing, object_not_found
from sandbox.graph import GraphCall, Handler, ORJSONResponse, authenticate, error_response, record
from sandbox.media import check_upload
from sandbox.state import Sandbox
from sandbox.template_create import check_definition
from sandbox.templates import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    REJECT_PREFIX,
    StoredTemplate,
    encode_cursor,
    parse_fields,
    project,
)
from sandbox.webhooks import Job

# -- phone numbers --------------------------------------------------------------------------


async def send_message(call: GraphCall) -> Any:
    body = await call.json_body()
    result = messaging.send(call.sandbox, call.node, body)
    call.message = result.note
    return result.body


async def send_marketing_message(call: GraphCall) -> Any:
    """§11.4 Marketing Messages API: a template send, MARKETING templates only."""
    body = await call.json_body()
    result = messaging.send(call.sandbox, call.node, body, endpoint=messaging.MARKETING_MESSAGES)
    call.message = result.note
    return result.body


async def upload_media(call: GraphCall) -> Any:
    sb = call.sandbox
    try:
        form = await call.request.form()
    except (HTTPException, MultiPartException) as exc:
        detail = getattr(exc, "detail", None) or getattr(exc, "message", "")
        raise bad_param(f"Invalid multipart body: {detail}") from exc
    try:
        product = form.get("messaging_product")
        upload = form.get("file")
        mime = form.get("type")
        fields: dict[str, Any] = {
            key: value for key, value in form.items() if isinstance(value, str)
        }
        data = b""
        if isinstance(upload, UploadFile):
            data = await upload.read()
            fields["file"] = {
                "filename": upload.filename,
                "content_type": upload.content_type,
                "size": len(data),
            }
        call.form = fields
    finally:
        await form.close()
    if product is None:
        raise bad_param("The parameter messaging_product is required.")
    if product != "whatsapp":
        raise bad_param("Param messaging_product must be 'whatsapp'")
    if not isinstance(upload, UploadFile):
        raise missing("Param file is required (multipart file part)")
    if not isinstance(mime, str) or not mime:
        mime = upload.content_type
    if not mime:
        raise missing("Param type (the file's MIME type) is required")
    check_upload(mime, len(data))
    media_id = sb.ids.numeric()
    sb.media.add(
        media_id,
        phone_number_id=call.node,
        mime_type=mime,
        data=data,
        now=sb.now(),
        filename=upload.filename,
    )
    return {"id": media_id}


def _phone_info(sb: Sandbox, pnid: str) -> dict[str, Any]:
    return {
        "verified_name": sb.config.verified_name,
        "code_verification_status": "VERIFIED",
        "display_phone_number": "+" + sb.display_number(pnid),
        "quality_rating": "GREEN",
        "platform_type": "CLOUD_API",
        "throughput": {"level": "STANDARD" if sb.config.rate_limit_mps <= 80 else "HIGH"},
        "id": pnid,
    }


def _fields_of(call: GraphCall, data: dict[str, Any]) -> dict[str, Any]:
    raw = call.query.get("fields")
    if not raw:
        return data
    wanted = [f.strip() for f in raw.split(",") if f.strip()]
    out = {key: data[key] for key in wanted if key in data}
    out["id"] = data["id"]
    return out


async def get_phone_number(call: GraphCall) -> Any:
    return _fields_of(call, _phone_info(call.sandbox, call.node))


async def register_phone_number(call: GraphCall) -> Any:
    await call.json_body()
    return {"success": True}


# -- WABA ------------------------------------------------------------------------------------


async def get_waba(call: GraphCall) -> Any:
    sb = call.sandbox
    return _fields_of(
        call,
        {
            "id": sb.config.waba_id,
            "name": sb.config.verified_name,
            "currency": "USD",
            "timezone_id": "1",
            "message_template_namespace": "sandbox_" + sb.config.waba_id,
        },
    )


async def list_phone_numbers(call: GraphCall) -> Any:
    sb = call.sandbox
    data = [_phone_info(sb, pnid) for pnid in sb.config.phone_numbers]
    return {
        "data": data,
        "paging": {"cursors": {"before": encode_cursor(0), "after": encode_cursor(len(data) - 1)}},
    }


async def subscribe_app(call: GraphCall) -> Any:
    return {"success": True}


async def list_subscribed_apps(call: GraphCall) -> Any:
    app = {"link": "https://wagraph.example/", "name": "wagraph sandbox", "id": "1"}
    return {"data": [{"whatsapp_business_api_data": app}]}


def _limit(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isdigit() or int(raw) < 1:
        raise bad_param(f"Param limit must be a positive integer, got '{raw}'")
    return min(int(raw), MAX_LIMIT)


async def list_templates(call: GraphCall) -> Any:
    """Cursor paging like Graph: `paging.next`/`previous` only when more data exists."""
    query = call.query
    fields = parse_fields(query.get("fields"))
    filters = {
        key: query[key]
        for key in (
            "name",
            "status",
            "category",
            "language",
            "quality_score",
            "content",
            "name_or_content",
        )
        if key in query
    }
    page = call.sandbox.templates.page(
        filters=filters,
        limit=_limit(query.get("limit")),
        after=query.get("after"),
        before=None if "after" in query else query.get("before"),
    )
    body: dict[str, Any] = {"data": [project(t.data, fields) for t in page.items]}
    if page.items:
        before, after = encode_cursor(page.items[0].seq), encode_cursor(page.items[-1].seq)
        paging: dict[str, Any] = {"cursors": {"before": before, "after": after}}
        url = call.request.url.remove_query_params(["after", "before"])
        if page.has_before:
            paging["previous"] = str(url.include_query_params(before=before))
        if page.has_after:
            paging["next"] = str(url.include_query_params(after=after))
        body["paging"] = paging
    summary = query.get("summary")
    if summary:
        body["summary"] = {
            "total_count": page.total,
            "message_template_count": page.total,
            "message_template_limit": 6000,
        }
    return body


async def create_template(call: GraphCall) -> Any:
    sb = call.sandbox
    body = await call.json_body()
    if not isinstance(body, dict):
        raise bad_param("Request body must be a JSON object")
    definition = check_definition(body)
    if sb.templates.get(definition["name"], definition["language"]) is not None:
        raise GraphError(
            100,
            f"Content in this language already exists: {definition['name']} "
            f"({definition['language']})",
            subcode=2388024,
            extra={"error_user_title": "Content in This Language Already Exists"},
        )
    data = {
        "id": sb.ids.numeric(15),
        **definition,
        "status": "PENDING",
        "quality_score": {"score": "UNKNOWN", "date": int(sb.now())},
        "rejected_reason": "NONE",
    }
    stored = sb.templates.put(data)
    schedule_review(sb, stored)
    return {"id": data["id"], "status": "PENDING", "category": data["category"]}


def schedule_review(sb: Sandbox, stored: StoredTemplate) -> None:
    """PENDING -> APPROVED (or REJECTED for `reject_*` names) after the review delay."""

    async def review(job: Job) -> None:
        await asyncio.sleep(sb.config.template_review_delay_s)
        if sb.templates.by_id(stored.data["id"]) is not stored:
            return  # deleted or replaced meanwhile
        rejected = stored.data["name"].startswith(REJECT_PREFIX)
        event = "REJECTED" if rejected else "APPROVED"
        reason = "INVALID_FORMAT" if rejected else "NONE"
        sb.templates.set_status(stored, event)
        stored.data["rejected_reason"] = reason
        if sb.config.webhook_url is not None:
            await sb.webhooks.deliver(template_event(sb, stored, event, reason), job)

    sb.webhooks.spawn(review, posts=1 if sb.config.webhook_url is not None else 0)


def template_event(
    sb: Sandbox, stored: StoredTemplate, event: str, reason: str = "NONE"
) -> dict[str, Any]:
    value = payloads.template_status_value(stored.data, event, reason)
    return payloads.envelope(
        sb.config.waba_id, "message_template_status_update", value, time=int(sb.now())
    )


async def delete_templates(call: GraphCall) -> Any:
    name = call.query.get("name")
    if not name:
        raise bad_param("The parameter name is required.")
    deleted = call.sandbox.templates.delete(name, call.query.get("hsm_id"))
    if not deleted:
        raise bad_param(f'Message template "{name}" was not found')
    return {"success": True}


# -- media and template nodes ----------------------------------------------------------------


def _media_item(call: GraphCall) -> Any:
    sb = call.sandbox
    item = sb.media.get(call.node, sb.now())
    if item is None:
        raise object_not_found(call.method, call.node)
    pnid = call.query.get("phone_number_id")
    if pnid is not None and pnid != item.phone_number_id:
        raise bad_param(f"Media {call.node} does not belong to phone number {pnid}")
    return item


async def get_media(call: GraphCall) -> Any:
    sb = call.sandbox
    item = _media_item(call)
    return {
        "messaging_product": "whatsapp",
        "url": sb.media.download_url(item, str(call.request.base_url), sb.now()),
        "mime_type": item.mime_type,
        "sha256": item.sha256,
        "file_size": item.file_size,
        "id": item.id,
    }


async def delete_media(call: GraphCall) -> Any:
    item = _media_item(call)
    call.sandbox.media.delete(item.id)
    return {"success": True}


async def get_template(call: GraphCall) -> Any:
    stored = call.sandbox.templates.by_id(call.node)
    if stored is None:
        raise object_not_found(call.method, call.node)
    return project(stored.data, parse_fields(call.query.get("fields")))


RouteTable = dict[tuple[str, str | None], Handler]
PHONE_ROUTES: RouteTable = {
    ("POST", "messages"): send_message,
    ("POST", "marketing_messages"): send_marketing_message,
    ("POST", "media"): upload_media,
    ("GET", None): get_phone_number,
    ("POST", "register"): register_phone_number,
    ("POST", "whatsapp_business_encryption"): set_business_public_key,
    ("GET", "whatsapp_business_encryption"): get_business_public_key,
}
WABA_ROUTES: RouteTable = {
    ("GET", "message_templates"): list_templates,
    ("POST", "message_templates"): create_template,
    ("DELETE", "message_templates"): delete_templates,
    ("GET", "phone_numbers"): list_phone_numbers,
    ("POST", "subscribed_apps"): subscribe_app,
    ("GET", "subscribed_apps"): list_subscribed_apps,
    ("GET", None): get_waba,
}
MEDIA_ROUTES: RouteTable = {("GET", None): get_media, ("DELETE", None): delete_media}
TEMPLATE_ROUTES: RouteTable = {("GET", None): get_template}


def resolve(call: GraphCall) -> Handler | None:
    """The handler for this node/edge/method; None means an unknown edge (code 2500)."""
    sb = call.sandbox
    node = call.node
    if node in sb.config.phone_numbers:
        table = PHONE_ROUTES
    elif node == sb.config.waba_id:
        table = WABA_ROUTES
    elif node in sb.media:
        table = MEDIA_ROUTES
    elif sb.templates.by_id(node) is not None:
        table = TEMPLATE_ROUTES
    else:
        raise object_not_found(call.method, node)
    handler = table.get((call.method, call.edge))
    if handler is not None:
        return handler
    if call.edge is not None and all(edge != call.edge for _, edge in table):
        return None
    raise object_not_found(call.method, node)


async def download_media(request: Request) -> Response:
    """The lookaside-style URL of `GET /{media-id}`: signed, 5 minutes, bearer token required."""
    sb: Sandbox = request.app.state.sandbox
    try:
        authenticate(sb, request)
        query = request.query_params
        item = sb.media.resolve_download(
            query.get("mid", ""), query.get("ext", ""), query.get("hash", ""), sb.now()
        )
        if item is None:
            raise GraphError(
                100, "Media URL is invalid or has expired: fetch a new one", status=404
            )
    except GraphError as exc:
        return error_response(sb, request, exc, "v23.0")
    record(sb, request, None, None, 200, {"bytes": item.file_size, "mime_type": item.mime_type})
    return Response(
        item.data,
        media_type=item.mime_type,
        headers={"content-disposition": f"attachment; filename={item.filename or item.id}"},
    )


__all__ = ["ORJSONResponse", "download_media", "resolve"]
