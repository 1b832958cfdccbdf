"""Media: uploads checked against Meta's type and size table before the bytes leave us, and
our media ids in a send replaced by the ids Meta gave the uploads."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from models import WhatsAppMedia
from whatsapp.cloud.client import CloudError
from whatsapp.cloud.problems import problem_from_cloud
from whatsapp.events.log import emit_event
from whatsapp.kit.clock import utcnow
from whatsapp.kit.errors import ErrorCode, FieldPath, Problem, WagraphError
from whatsapp.kit.ids import is_uuid
from whatsapp.runtime import Runtime

MB = 1024 * 1024
# Meta's supported media (reference §5.5): kind -> (MIME types, maximum bytes).
MEDIA_RULES: dict[str, tuple[frozenset[str], int]] = {
    "image": (frozenset({"image/jpeg", "image/png"}), 5 * MB),
    "video": (frozenset({"video/mp4", "video/3gp", "video/3gpp"}), 16 * MB),
    "audio": (
        frozenset({"audio/aac", "audio/mp4", "audio/mpeg", "audio/amr", "audio/ogg"}),
        16 * MB,
    ),
    "document": (
        frozenset(
            {
                "text/plain",
                "application/pdf",
                "application/msword",
                "application/vnd.ms-excel",
                "application/vnd.ms-powerpoint",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            }
        ),
        100 * MB,
    ),
    "sticker": (frozenset({"image/webp"}), 500 * 1024),
}
MEDIA_LIFETIME = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class MediaKind:
    kind: str
    max_bytes: int


def classify(mime_type: str) -> MediaKind:
    """The media kind for a MIME type (parameters such as `; codecs=opus` are ignored)."""
    base = mime_type.split(";", 1)[0].strip().lower()
    for kind, (types, max_bytes) in MEDIA_RULES.items():
        if base in types:
            return MediaKind(kind, max_bytes)
    raise WagraphError.of(
        ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        f"WhatsApp does not accept {base or 'this file type'}; see the supported media types",
        ("file",),
    )


async def upload_media(
    rt: Runtime,
    *,
    data: bytes,
    filename: str,
    mime_type: str,
    phone_number_id: str | None = None,
    source: str = "api",
) -> WhatsAppMedia:
    kind = classify(mime_type)
    if len(data) > kind.max_bytes:
        raise WagraphError.of(
            ErrorCode.MEDIA_TOO_LARGE,
            f"{kind.kind} files may be at most {kind.max_bytes} bytes (got {len(data)})",
            ("file",),
        )
    if not data:
        raise WagraphError.of(ErrorCode.INVALID_INPUT, "The file is empty", ("file",))
    number = rt.number(phone_number_id)
    base_mime = mime_type.split(";", 1)[0].strip().lower()
    try:
        meta_id = await rt.cloud.upload_media(
            number, data=data, filename=filename, mime_type=base_mime
        )
    except CloudError as exc:
        raise WagraphError([problem_from_cloud(exc)]) from exc
    media = await WhatsAppMedia.create(
        meta_id=meta_id,
        phone_number_id=number,
        kind=kind.kind,
        mime_type=base_mime,
        file_name=filename,
        file_size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        expires_at=utcnow() + MEDIA_LIFETIME,
    )
    await emit_event(
        "media.uploaded",
        source=source,
        properties={
            "mediaId": str(media.id),
            "metaId": meta_id,
            "kind": kind.kind,
            "mimeType": base_mime,
            "fileSize": len(data),
        },
    )
    return media


async def resolve_media_ids(tree: Mapping[str, Any], prefix: FieldPath = ()) -> dict[str, Any]:
    """Replace our media ids (UUIDs from uploadMedia) by Meta's, wherever `mediaId` appears."""
    found: dict[str, list[FieldPath]] = {}
    _collect_media_ids(tree, prefix, found)
    if not found:
        return dict(tree)
    rows = await WhatsAppMedia.filter(id__in=list(found)).values_list("id", "meta_id")
    meta_ids = {str(media_id): meta_id for media_id, meta_id in rows}
    missing = [path for key, paths in found.items() if key not in meta_ids for path in paths]
    if missing:
        raise WagraphError(
            [Problem(ErrorCode.NOT_FOUND, "No uploaded media with that id", p) for p in missing]
        )
    replaced: dict[str, Any] = _replace_media_ids(tree, meta_ids)
    return replaced


def _collect_media_ids(node: Any, path: FieldPath, found: dict[str, list[FieldPath]]) -> None:
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key == "mediaId" and isinstance(value, str) and is_uuid(value):
                found.setdefault(value, []).append((*path, key))
            else:
                _collect_media_ids(value, (*path, key), found)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            _collect_media_ids(item, (*path, str(index)), found)


def _replace_media_ids(node: Any, meta_ids: Mapping[str, str]) -> Any:
    if isinstance(node, Mapping):
        return {
            key: meta_ids.get(value, value)
            if key == "mediaId"
            else _replace_media_ids(value, meta_ids)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_replace_media_ids(item, meta_ids) for item in node]
    return node
