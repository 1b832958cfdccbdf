"""The Cloud API client: one class around one shared `httpx.AsyncClient`.

Meta's error envelope becomes a `CloudApiError` carrying code, subcode, title, details and
whether retrying can help. Retryable failures (5xx, timeouts, throttling codes) are retried here
with bounded exponential backoff and jitter; permanent ones are raised at once.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx
import orjson
from opentelemetry.trace import SpanKind

from whatsapp.cloud import codes
from whatsapp.cloud.pool import ShardedTransport
from whatsapp.kit import metrics, tracing

log = logging.getLogger(__name__)
CLIENT = SpanKind.CLIENT

# The Graph API edges a message can be sent to: the Cloud API's, and the Marketing Messages
# API's (same body; only MARKETING templates, reference §11.4).
Edge = Literal["messages", "marketing_messages"]
MESSAGES: Edge = "messages"
MARKETING_MESSAGES: Edge = "marketing_messages"


@dataclass(frozen=True, slots=True)
class CloudConfig:
    base_url: str
    version: str
    access_token: str
    timeout_s: float = 10.0
    max_connections: int = 200
    max_attempts: int = 4
    backoff_base_s: float = 0.2
    backoff_max_s: float = 5.0


class CloudError(Exception):
    """Anything that went wrong talking to the Cloud API."""

    retryable: bool = False


class CloudTransportError(CloudError):
    """The request did not get an answer (connection refused, timeout)."""

    retryable = True


@dataclass(eq=False)
class CloudApiError(CloudError):
    """Meta answered with its error envelope."""

    http_status: int
    code: int
    title: str
    details: str | None = None
    subcode: int | None = None
    type: str | None = None
    fbtrace_id: str | None = None

    def __post_init__(self) -> None:
        suffix = f": {self.details}" if self.details else ""
        super().__init__(f"({self.code}) {self.title}{suffix}")

    @property
    def retryable(self) -> bool:  # type: ignore[override]
        return self.code in codes.RETRYABLE or self.http_status >= 500

    @property
    def throttled(self) -> bool:
        return self.code in codes.THROTTLING

    @property
    def retry_after_s(self) -> float | None:
        """How long Meta wants us to wait, when it says so (only the pair limit is fixed)."""
        return codes.PAIR_RATE_LIMIT_WAIT_S if self.code == codes.PAIR_RATE_LIMIT else None

    @classmethod
    def from_response(cls, response: httpx.Response) -> CloudApiError:
        try:
            error = orjson.loads(response.content).get("error") or {}
        except (orjson.JSONDecodeError, AttributeError):
            error = {}
        message = str(error.get("message") or response.reason_phrase or "Unknown error")
        title = error.get("error_user_title") or _strip_code_prefix(message)
        error_data = error.get("error_data") or {}
        details = error_data.get("details") if isinstance(error_data, dict) else None
        code = error.get("code")
        return cls(
            http_status=response.status_code,
            code=int(code) if isinstance(code, int | str) and str(code).isdigit() else 0,
            title=title,
            details=details or error.get("error_user_msg"),
            subcode=error.get("error_subcode"),
            type=error.get("type"),
            fbtrace_id=error.get("fbtrace_id"),
        )


def _strip_code_prefix(message: str) -> str:
    """Meta's messages read "(#131009) Parameter value is not valid"; keep the title part."""
    if message.startswith("(#") and ") " in message:
        return message.split(") ", 1)[1]
    return message


class MediaTooLarge(CloudError):
    """A media file larger than the caller will hold (`download_media`)."""

    def __init__(self, size: int | None, limit: int) -> None:
        said = f"{size:,} bytes" if size is not None else "more than that"
        super().__init__(f"The file is {said}; at most {limit:,} bytes are fetched")
        self.size = size
        self.limit = limit


# Where Meta's media URLs point (lookaside.fbsbx.com today): the only hosts, besides the
# configured Graph API's own origin, that `download_media` sends the token to.
META_MEDIA_HOSTS = ("fbsbx.com", "facebook.com", "fbcdn.net", "whatsapp.net")


@dataclass(frozen=True, slots=True)
class SentMessage:
    wamid: str
    wa_id: str | None
    message_status: str | None = None


@dataclass(frozen=True, slots=True)
class MediaInfo:
    id: str
    url: str
    mime_type: str
    sha256: str | None
    file_size: int | None


@dataclass(frozen=True, slots=True)
class TemplatePage:
    templates: list[dict[str, Any]]
    after: str | None
    has_next: bool
    total: int | None = None  # Meta's summary.total_count, when it sends one


class CloudClient:
    """Meta's Graph API for WhatsApp, one method per endpoint we use."""

    def __init__(self, config: CloudConfig, http: httpx.AsyncClient | None = None) -> None:
        self.config = config
        self._owns_http = http is None
        self.http = http or self.new_http_client(config)
        self._prefix = f"{config.base_url.rstrip('/')}/{config.version}"
        # Callers beyond the pool size wait here rather than in httpx's pool, whose bookkeeping
        # grows with its queue (encode/httpx#3215).
        self._in_flight = asyncio.Semaphore(config.max_connections)

    @staticmethod
    def new_http_client(config: CloudConfig) -> httpx.AsyncClient:
        # Several small pools, not one large one: httpcore's bookkeeping per request grows
        # with the square of a pool (`whatsapp.cloud.pool`).
        transport = ShardedTransport(config.max_connections, retries=0)
        return httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(config.timeout_s, connect=min(config.timeout_s, 5.0)),
            headers={"Authorization": f"Bearer {config.access_token}"},
        )

    async def aclose(self) -> None:
        if self._owns_http:
            await self.http.aclose()

    # -- endpoints -------------------------------------------------------------------------

    async def send_message(
        self,
        phone_number_id: str,
        payload: Mapping[str, Any],
        *,
        attempts: int | None = None,
        edge: Edge = MESSAGES,
    ) -> SentMessage:
        """`attempts=1` leaves retrying to the caller (the scheduler reschedules instead);
        `edge=MARKETING_MESSAGES` sends through the Marketing Messages API."""
        body = await self._request(
            "POST", f"{phone_number_id}/{edge}", json=payload, attempts=attempts
        )
        message = (body.get("messages") or [{}])[0]
        contact = (body.get("contacts") or [{}])[0]
        if not message.get("id"):
            raise CloudApiError(http_status=200, code=0, title="Response carried no message id")
        return SentMessage(
            wamid=message["id"],
            wa_id=contact.get("wa_id"),
            message_status=message.get("message_status"),
        )

    async def mark_as_read(self, phone_number_id: str, payload: Mapping[str, Any]) -> None:
        await self._request("POST", f"{phone_number_id}/messages", json=payload)

    async def upload_media(
        self, phone_number_id: str, *, data: bytes, filename: str, mime_type: str
    ) -> str:
        body = await self._request(
            "POST",
            f"{phone_number_id}/media",
            data={"messaging_product": "whatsapp", "type": mime_type},
            files={"file": (filename, data, mime_type)},
        )
        return str(body["id"])

    async def get_media(self, media_id: str, phone_number_id: str | None = None) -> MediaInfo:
        params = {"phone_number_id": phone_number_id} if phone_number_id else None
        body = await self._request("GET", media_id, params=params)
        size = body.get("file_size")
        return MediaInfo(
            id=str(body.get("id", media_id)),
            url=body["url"],
            mime_type=body.get("mime_type", ""),
            sha256=body.get("sha256"),
            file_size=int(size) if size is not None else None,
        )

    async def download_media(self, url: str, *, max_bytes: int) -> bytes:
        """The bytes behind a media URL from `get_media` (Meta's lookaside link: it needs the
        token and expires after five minutes, so it is fetched right after being asked for).

        The token goes only to Meta's hosts or to the configured Graph API's own origin (the
        sandbox): a URL elsewhere is refused, never followed. The body is read in chunks and
        abandoned past `max_bytes` (`MediaTooLarge`), so a large file is never held whole."""
        if not self._may_carry_token(url):
            raise CloudError(f"Meta's media URL points at an unexpected host: {url[:200]}")
        started, data, outcome = time.perf_counter(), bytearray(), "error"
        try:
            async with self._in_flight, self.http.stream("GET", url) as response:
                if not response.is_success:
                    await response.aread()
                    raise CloudApiError.from_response(response)
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise MediaTooLarge(int(declared), max_bytes)
                async for chunk in response.aiter_bytes():
                    data += chunk
                    if len(data) > max_bytes:
                        raise MediaTooLarge(None, max_bytes)
            outcome = "ok"
        except httpx.TimeoutException as exc:
            outcome = "transport"
            raise CloudTransportError(f"GET media download: timed out ({exc!r})") from exc
        except httpx.TransportError as exc:
            outcome = "transport"
            raise CloudTransportError(f"GET media download: {exc!r}") from exc
        finally:
            elapsed = time.perf_counter() - started
            metrics.GRAPH_API_SECONDS.labels("media_download", outcome).observe(elapsed)
        return bytes(data)

    def _may_carry_token(self, url: str) -> bool:
        parts, own = urlsplit(url), urlsplit(self.config.base_url)
        if (parts.scheme, parts.netloc) == (own.scheme, own.netloc):
            return True
        host = (parts.hostname or "").lower()
        return parts.scheme == "https" and any(
            host == suffix or host.endswith("." + suffix) for suffix in META_MEDIA_HOSTS
        )

    async def list_templates(
        self,
        waba_id: str,
        *,
        after: str | None = None,
        limit: int = 100,
        name: str | None = None,
        language: str | None = None,
    ) -> TemplatePage:
        """One page of the account's templates; `name` is Meta's substring filter."""
        params: dict[str, Any] = {
            "limit": limit,
            "fields": "name,status,category,language,components,quality_score,"
            "rejected_reason,parameter_format",
            "summary": "total_count",
        }
        filters = {"after": after, "name": name, "language": language}
        params.update({key: value for key, value in filters.items() if value})
        body = await self._request("GET", f"{waba_id}/message_templates", params=params)
        paging = body.get("paging") or {}
        total = (body.get("summary") or {}).get("total_count")
        return TemplatePage(
            templates=list(body.get("data") or []),
            after=(paging.get("cursors") or {}).get("after"),
            has_next=bool(paging.get("next")),
            total=int(total) if isinstance(total, int | str) and str(total).isdigit() else None,
        )

    async def iter_templates(
        self,
        waba_id: str,
        *,
        limit: int = 100,
        name: str | None = None,
        language: str | None = None,
    ) -> AsyncIterator[TemplatePage]:
        """Every page of the account's templates, following the cursors until Meta stops."""
        after: str | None = None
        while True:
            page = await self.list_templates(
                waba_id, after=after, limit=limit, name=name, language=language
            )
            yield page
            if not page.has_next or not page.after:
                return
            after = page.after

    async def set_business_public_key(self, phone_number_id: str, public_key_pem: str) -> None:
        """Upload the Flows public key of a number (§8.1); WhatsApp encrypts with it."""
        await self._request(
            "POST",
            f"{phone_number_id}/whatsapp_business_encryption",
            data={"business_public_key": public_key_pem},
        )

    async def get_business_public_key(self, phone_number_id: str) -> dict[str, Any]:
        """The number's uploaded Flows public key and its signature status, as Meta has it."""
        body = await self._request("GET", f"{phone_number_id}/whatsapp_business_encryption")
        data = body.get("data") or [{}]
        return dict(data[0]) if isinstance(data, list) and data else {}

    async def get_node(self, node_id: str, fields: str) -> dict[str, Any]:
        """A phone number or a business account as Meta has it (`fields`: comma-separated):
        the cheapest request that proves the token can reach it (`wagraph check`)."""
        return await self._request("GET", node_id, params={"fields": fields})

    # -- plumbing --------------------------------------------------------------------------

    async def _request(
        self, method: str, path: str, *, attempts: int | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        max_attempts = attempts or self.config.max_attempts
        if "json" in kwargs:
            kwargs["content"] = orjson.dumps(kwargs.pop("json"))
            kwargs["headers"] = {"Content-Type": "application/json"}
        attempt = 0
        while True:
            attempt += 1
            answer = await self._attempt(method, path, kwargs)
            if not isinstance(answer, CloudError):
                return answer
            error = answer
            delay = self._retry_delay(error, attempt, max_attempts)
            if delay is None:
                raise error
            log.warning(
                "cloud api %s %s failed (%s), retry %d in %.2fs",
                method,
                path,
                error,
                attempt,
                delay,
            )
            await asyncio.sleep(delay)

    async def _attempt(
        self, method: str, path: str, kwargs: Mapping[str, Any]
    ) -> dict[str, Any] | CloudError:
        """One request: Meta's JSON answer, or the error it came to — timed
        (`wagraph_graph_api_request_seconds`), traced (a client span) and logged at DEBUG with
        the ids of the work it serves. The URL carries no secret (the token is a header)."""
        url = f"{self._prefix}/{path}"
        endpoint = endpoint_of(path)
        attributes = {"http.request.method": method, "url.full": url, "wagraph.endpoint": endpoint}
        status, outcome = 0, "ok"
        async with self._in_flight:
            started = time.perf_counter()
            with tracing.span(f"{method} {endpoint}", kind=CLIENT, attributes=attributes) as span:
                try:
                    response = await self.http.request(method, url, **kwargs)
                except httpx.TimeoutException as exc:
                    answer: dict[str, Any] | CloudError = CloudTransportError(
                        f"{method} {path}: timed out ({exc!r})"
                    )
                except httpx.TransportError as exc:
                    answer = CloudTransportError(f"{method} {path}: {exc!r}")
                else:
                    status = response.status_code
                    if response.is_success:
                        answer = orjson.loads(response.content) if response.content else {}
                    else:
                        answer = CloudApiError.from_response(response)
                if isinstance(answer, CloudError):
                    outcome = "error" if status else "transport"
                    tracing.failed(span, str(answer))
                if span is not None and status:
                    span.set_attribute("http.response.status_code", status)
            elapsed = time.perf_counter() - started
        metrics.GRAPH_API_SECONDS.labels(endpoint, outcome).observe(elapsed)
        log.debug("cloud api %s %s: %s in %.1f ms", method, path, status or outcome, elapsed * 1e3)
        return answer

    def _retry_delay(self, error: CloudError, attempt: int, max_attempts: int) -> float | None:
        """Exponential backoff with jitter, or None when retrying cannot help or we are done."""
        if not error.retryable or attempt >= max_attempts:
            return None
        wait = getattr(error, "retry_after_s", None)
        if wait is not None:
            return wait if wait <= self.config.backoff_max_s else None
        ceiling = min(self.config.backoff_max_s, self.config.backoff_base_s * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)


# The edges wagraph calls, as metric labels; anything else is a node read (`get_node`, media).
_EDGES = frozenset(
    {"messages", "marketing_messages", "media", "message_templates", "whatsapp_business_encryption"}
)


def endpoint_of(path: str) -> str:
    """A bounded label for a Graph API path: its edge, never an id."""
    edge = path.rsplit("/", 1)[-1] if "/" in path else ""
    return edge if edge in _EDGES else "node"
