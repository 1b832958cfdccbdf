"""Media store: uploads, seeded files, inbound customer media and signed download URLs.

Bytes live in memory (tests and demos upload small files). Download URLs imitate Meta's
lookaside links: valid for five minutes, signed, and useless without the bearer token.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import urlencode

from sandbox.errors import GraphError, bad_param

MB = 1024 * 1024
KB = 1024
URL_TTL_S = 300
UPLOAD_TTL_S = 30 * 24 * 3600
INBOUND_TTL_S = 7 * 24 * 3600
DOWNLOAD_PATH = "/whatsapp_business/attachments/"

# §5.5: kind and maximum size per MIME type.
MIME_TABLE: dict[str, tuple[str, int]] = {
    "image/jpeg": ("image", 5 * MB),
    "image/png": ("image", 5 * MB),
    "video/mp4": ("video", 16 * MB),
    "video/3gp": ("video", 16 * MB),
    "video/3gpp": ("video", 16 * MB),
    "audio/aac": ("audio", 16 * MB),
    "audio/mp4": ("audio", 16 * MB),
    "audio/mpeg": ("audio", 16 * MB),
    "audio/amr": ("audio", 16 * MB),
    "audio/ogg": ("audio", 16 * MB),
    "text/plain": ("document", 100 * MB),
    "application/pdf": ("document", 100 * MB),
    "application/msword": ("document", 100 * MB),
    "application/vnd.ms-excel": ("document", 100 * MB),
    "application/vnd.ms-powerpoint": ("document", 100 * MB),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        "document",
        100 * MB,
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("document", 100 * MB),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (
        "document",
        100 * MB,
    ),
    # Static stickers may be 100 KB, animated ones 500 KB; the sandbox cannot tell them apart
    # without decoding WebP, so it allows the animated maximum.
    "image/webp": ("sticker", 500 * KB),
}

# Which uploaded kinds a message of each type accepts (a sticker is also a valid image file).
ACCEPTS: dict[str, frozenset[str]] = {
    "image": frozenset({"image"}),
    "video": frozenset({"video"}),
    "audio": frozenset({"audio"}),
    "document": frozenset({"document", "image", "video", "audio", "sticker"}),
    "sticker": frozenset({"sticker"}),
}

_EXTENSIONS = {"image": "jpg", "video": "mp4", "audio": "ogg", "document": "pdf", "sticker": "webp"}


def base_mime(mime: str) -> str:
    """`audio/ogg; codecs=opus` -> `audio/ogg`."""
    return mime.split(";", 1)[0].strip().lower()


def kind_of(mime: str) -> str | None:
    entry = MIME_TABLE.get(base_mime(mime))
    return entry[0] if entry else None


@dataclass(slots=True)
class MediaItem:
    id: str
    phone_number_id: str
    mime_type: str
    data: bytes
    sha256: str
    created_at: float
    expires_at: float
    filename: str | None = None

    @property
    def kind(self) -> str:
        return kind_of(self.mime_type) or "document"

    @property
    def file_size(self) -> int:
        return len(self.data)


def check_upload(mime: str, size: int) -> str:
    """Enforce §5.5 and return the media kind; raise Meta-plausible errors otherwise.

    Unsupported MIME -> 100 (Graph's "Param file must be a file with one of the following
    types"); empty or oversized file -> 131053 "Media upload error".
    """
    entry = MIME_TABLE.get(base_mime(mime))
    if entry is None:
        allowed = ", ".join(sorted(MIME_TABLE))
        raise bad_param(
            f"Param file must be a file with one of the following types: {allowed}. "
            f"Received file of type '{mime}'."
        )
    kind, limit = entry
    if size == 0:
        raise GraphError(131053, "Uploaded file is empty")
    if size > limit:
        raise GraphError(
            131053,
            f"{kind} file size {size} bytes exceeds the maximum of {limit} bytes for {mime}",
        )
    return kind


class MediaStore:
    """Media by id, with signed, short-lived download links."""

    def __init__(self, secret: str) -> None:
        self._secret = secret.encode()
        self._items: dict[str, MediaItem] = {}

    def __contains__(self, media_id: object) -> bool:
        return media_id in self._items

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        self._items.clear()

    def add(
        self,
        media_id: str,
        *,
        phone_number_id: str,
        mime_type: str,
        data: bytes,
        now: float,
        ttl_s: float = UPLOAD_TTL_S,
        filename: str | None = None,
    ) -> MediaItem:
        item = MediaItem(
            id=media_id,
            phone_number_id=phone_number_id,
            mime_type=mime_type,
            data=data,
            sha256=hashlib.sha256(data).hexdigest(),
            created_at=now,
            expires_at=now + ttl_s,
            filename=filename,
        )
        self._items[media_id] = item
        return item

    def get(self, media_id: str, now: float) -> MediaItem | None:
        item = self._items.get(media_id)
        if item is None or item.expires_at <= now:
            return None
        return item

    def delete(self, media_id: str) -> bool:
        return self._items.pop(media_id, None) is not None

    def download_url(self, item: MediaItem, base_url: str, now: float) -> str:
        expires = int(now) + URL_TTL_S
        query = urlencode(
            {
                "mid": item.id,
                "ext": str(expires),
                "hash": self._signature(item.id, expires),
            }
        )
        return f"{base_url.rstrip('/')}{DOWNLOAD_PATH}?{query}"

    def resolve_download(self, mid: str, ext: str, signature: str, now: float) -> MediaItem | None:
        """The item a download link points at, or None if the link is forged or expired."""
        if not ext.isdigit() or int(ext) < now:
            return None
        if not hmac.compare_digest(self._signature(mid, int(ext)), signature):
            return None
        return self.get(mid, now)

    def _signature(self, media_id: str, expires: int) -> str:
        return hmac.new(self._secret, f"{media_id}:{expires}".encode(), hashlib.sha256).hexdigest()[
            :32
        ]


def extension_for(kind: str) -> str:
    return _EXTENSIONS.get(kind, "bin")


# Fixed media every fresh sandbox knows, so demos and tests can send media without uploading.
SEEDED_MEDIA: tuple[tuple[str, str, bytes, str | None], ...] = (
    ("1013859600285441", "image/jpeg", b"\xff\xd8\xff\xe0sandbox-image\xff\xd9", None),
    ("1013859600285442", "application/pdf", b"%PDF-1.4\n% sandbox invoice\n%%EOF\n", "invoice.pdf"),
    ("1013859600285443", "video/mp4", b"\x00\x00\x00\x18ftypmp42sandbox-video", None),
    ("1013859600285444", "audio/ogg", b"OggS\x00sandbox-voice-note", None),
    ("1013859600285445", "image/webp", b"RIFF\x1c\x00\x00\x00WEBPVP8 sandbox", None),
    ("1013859600285446", "image/png", b"\x89PNG\r\n\x1a\nsandbox-png", None),
)
