"""A message's media, fetched from Meta for people to see (`GET /media/{messageId}`).

A message keeps only Meta's media id (what a customer sent, what we uploaded and sent): the
file itself stays with Meta, behind a URL that needs the token and lasts five minutes. So it
is asked for when someone looks, then kept in a bounded in-memory cache (`MediaCache`): a
conversation shown again, or by a second operator, does not call Meta again.

Bounds, so a look cannot exhaust the process: a file over `max_bytes` is refused (from Meta's
declared size before downloading, and while downloading when the size was not declared); at
most `DOWNLOADS_AT_ONCE` downloads run at once; two looks at the same file share one download.

A medium sent by `link` (a public URL) is not fetched: following a URL stored in a message
would let whoever can send one make this server fetch any address (SSRF). Its URL is said.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from models import MessageType, WhatsAppMedia, WhatsAppMessage
from whatsapp.cloud.client import CloudApiError, CloudError, MediaTooLarge
from whatsapp.kit.ids import is_uuid
from whatsapp.runtime import Runtime

MEDIA_TYPES = {
    MessageType.IMAGE: "image",
    MessageType.VIDEO: "video",
    MessageType.AUDIO: "audio",
    MessageType.DOCUMENT: "document",
    MessageType.STICKER: "sticker",
}
MAX_CACHED_FILES = 1000
DOWNLOADS_AT_ONCE = 4


class Unavailable(StrEnum):
    """Why a message's media cannot be served (the face picks the HTTP status)."""

    NOT_FOUND = "NOT_FOUND"  # no such message, or a message without media
    PUBLIC_LINK = "PUBLIC_LINK"  # sent by link: not fetched (SSRF), its URL is said
    TOO_LARGE = "MEDIA_TOO_LARGE"
    CLOUD_REFUSED = "CLOUD_API_ERROR"  # Meta answered with an error (expired, deleted…)
    CLOUD_UNREACHABLE = "CLOUD_API_UNREACHABLE"


class MediaUnavailable(Exception):
    """The media cannot be served, and why, in words a person can act on."""

    def __init__(self, reason: Unavailable, message: str, **details: Any) -> None:
        super().__init__(message)
        self.reason = reason
        self.details = details


@dataclass(frozen=True, slots=True)
class MediaSource:
    """Where a message's medium is: Meta's id, or a public link (never both)."""

    kind: str
    media_id: str | None
    link: str | None
    filename: str | None
    mime_type: str | None


@dataclass(frozen=True, slots=True)
class FetchedMedia:
    data: bytes
    mime_type: str
    filename: str | None
    kind: str


class MediaCache:
    """Fetched files, least recently used out first, bounded in bytes and in count; a file
    over a quarter of the budget is not kept (one large video would flush everything)."""

    def __init__(self, max_bytes: int, max_files: int = MAX_CACHED_FILES) -> None:
        self.max_bytes = max_bytes
        self.max_files = max_files
        self.max_file_bytes = max_bytes // 4
        self.bytes = 0
        self._files: OrderedDict[tuple[str, str], FetchedMedia] = OrderedDict()

    def __len__(self) -> int:
        return len(self._files)

    def get(self, key: tuple[str, str]) -> FetchedMedia | None:
        found = self._files.get(key)
        if found is not None:
            self._files.move_to_end(key)
        return found

    def put(self, key: tuple[str, str], media: FetchedMedia) -> None:
        size = len(media.data)
        if size > self.max_file_bytes or key in self._files:
            return
        self._files[key] = media
        self.bytes += size
        while self.bytes > self.max_bytes or len(self._files) > self.max_files:
            _, dropped = self._files.popitem(last=False)
            self.bytes -= len(dropped.data)


class MediaFetcher:
    """One per process: the cache and the bounds live as long as it does."""

    def __init__(self, *, max_bytes: int, cache_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.cache = MediaCache(cache_bytes)
        self._downloads = asyncio.Semaphore(DOWNLOADS_AT_ONCE)
        self._pending: dict[tuple[str, str], asyncio.Lock] = {}

    async def fetch(self, rt: Runtime, message_id: str) -> FetchedMedia:
        """The medium of our message `message_id` (our id, as GraphQL gives it), or
        `MediaUnavailable` saying why not."""
        message = await _message(message_id)
        source = await media_source(message)
        if source.link is not None:
            raise MediaUnavailable(
                Unavailable.PUBLIC_LINK,
                f"This message's media is a public link: {source.link}",
                link=source.link,
            )
        assert source.media_id is not None
        key = (message.phone_number_id, source.media_id)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        lock = self._pending.setdefault(key, asyncio.Lock())
        try:
            async with lock:  # a second look at the same file waits for the first download
                cached = self.cache.get(key)
                if cached is None:
                    cached = await self._download(rt, message.phone_number_id, source)
                    self.cache.put(key, cached)
                return cached
        finally:
            if not lock.locked() and self._pending.get(key) is lock:
                del self._pending[key]

    async def _download(self, rt: Runtime, number: str, source: MediaSource) -> FetchedMedia:
        """Meta's URL for the id, then its bytes: both within the size bound."""
        assert source.media_id is not None
        async with self._downloads:
            try:
                info = await rt.cloud.get_media(source.media_id, phone_number_id=number)
                if info.file_size is not None and info.file_size > self.max_bytes:
                    raise MediaTooLarge(info.file_size, self.max_bytes)
                data = await rt.cloud.download_media(info.url, max_bytes=self.max_bytes)
            except MediaTooLarge as exc:
                raise MediaUnavailable(
                    Unavailable.TOO_LARGE,
                    f"The media is too large to show here: {exc}",
                    maxBytes=self.max_bytes,
                ) from exc
            except CloudApiError as exc:
                raise MediaUnavailable(
                    Unavailable.CLOUD_REFUSED,
                    f"Meta did not give the media: {exc}",
                    metaCode=exc.code,
                ) from exc
            except CloudError as exc:
                raise MediaUnavailable(
                    Unavailable.CLOUD_UNREACHABLE, f"Meta could not be reached for the media: {exc}"
                ) from exc
        return FetchedMedia(
            data=data,
            mime_type=info.mime_type or source.mime_type or "application/octet-stream",
            filename=source.filename,
            kind=source.kind,
        )


async def _message(message_id: str) -> WhatsAppMessage:
    found = (
        await WhatsAppMessage.filter(id=uuid.UUID(message_id))
        .only("id", "type", "phone_number_id", "content", "payload")
        .first()
        if is_uuid(message_id)
        else None
    )
    if found is None:
        raise MediaUnavailable(Unavailable.NOT_FOUND, f"No message with id {message_id[:64]!r}")
    return found


async def media_source(message: WhatsAppMessage) -> MediaSource:
    """Where the message's medium is, read from what we stored: Meta's own shape for what a
    customer (or the Business app) sent, `{"image": {"id": …}}`; our content for what we sent,
    `{"image": {"mediaId": …}}` (Meta's id by then), and the payload sent to Meta last."""
    kind = MEDIA_TYPES.get(MessageType(message.type))
    if kind is None:
        raise MediaUnavailable(
            Unavailable.NOT_FOUND, f"This message has no media (it is a {message.type} message)"
        )
    for stored in (message.content, message.payload):
        medium = _object(_object(stored).get(kind))
        media_id, link = medium.get("id") or medium.get("mediaId"), medium.get("link")
        if isinstance(media_id, str) and media_id:
            if is_uuid(media_id):  # our upload's id, not yet replaced by Meta's
                media_id = await _meta_id(media_id)
            return _source(kind, medium, media_id, None)
        if isinstance(link, str) and link:
            return _source(kind, medium, None, link)
    raise MediaUnavailable(Unavailable.NOT_FOUND, "This message's media is not known")


def _source(
    kind: str, medium: Mapping[str, Any], media_id: str | None, link: str | None
) -> MediaSource:
    filename, mime = medium.get("filename"), medium.get("mime_type") or medium.get("mimeType")
    return MediaSource(
        kind=kind,
        media_id=media_id,
        link=link,
        filename=filename if isinstance(filename, str) else None,
        mime_type=mime if isinstance(mime, str) else None,
    )


async def _meta_id(upload_id: str) -> str:
    upload = await WhatsAppMedia.filter(id=upload_id).only("id", "meta_id").first()
    if upload is None or not upload.meta_id:
        raise MediaUnavailable(Unavailable.NOT_FOUND, "This message's upload is not known")
    return str(upload.meta_id)


def _object(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
