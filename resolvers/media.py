"""Resolver for media upload (GraphQL multipart request)."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from strawberry.file_uploads import Upload

from resolvers.errors import user_errors
from schema.context import Info
from schema.payloads import UploadMediaPayload
from schema.types import Media
from whatsapp.kit.errors import ErrorCode, WagraphError
from whatsapp.messages import media


async def upload_media(
    info: Info, file: Upload, phone_number_id: str | None = None
) -> UploadMediaPayload:
    upload: UploadFile = file  # type: ignore[assignment]
    limit = info.context.max_upload_bytes
    try:
        data = await upload.read(limit + 1)
    finally:
        await upload.close()
    try:
        if len(data) > limit:
            raise WagraphError.of(
                ErrorCode.MEDIA_TOO_LARGE, f"Uploads are limited to {limit} bytes", ("file",)
            )
        row = await media.upload_media(
            info.context.runtime,
            data=data,
            filename=upload.filename or "upload",
            mime_type=upload.content_type or "application/octet-stream",
            phone_number_id=phone_number_id,
        )
    except WagraphError as exc:
        return UploadMediaPayload(errors=user_errors(exc, prefix=()))
    return UploadMediaPayload(media=Media.from_model(row))
