"""Media: upload limits (§5.5), metadata, signed 5-minute download URLs, delete."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx
import pytest

from sandbox import Sandbox
from sandbox.media import KB, MB
from tests.sandbox.conftest import MESSAGES, PNID, TOKEN, Clock, error_of, message

MEDIA = f"/v23.0/{PNID}/media"


async def upload(
    client: httpx.AsyncClient,
    data: bytes,
    mime: str,
    *,
    filename: str = "f.bin",
    fields: dict[str, str] | None = None,
) -> httpx.Response:
    form = {"messaging_product": "whatsapp", "type": mime} if fields is None else fields
    return await client.post(MEDIA, data=form, files={"file": (filename, data, mime)})


async def test_upload_fetch_download_delete(client: httpx.AsyncClient) -> None:
    # given
    data = b"\x89PNG\r\n\x1a\n" + b"x" * 100

    # when
    uploaded = await upload(client, data, "image/png", filename="logo.png")

    # then
    assert uploaded.status_code == 200
    media_id = uploaded.json()["id"]
    assert uploaded.json() == {"id": media_id}
    assert media_id.isdigit()
    meta = (await client.get(f"/v23.0/{media_id}")).json()
    assert list(meta) == ["messaging_product", "url", "mime_type", "sha256", "file_size", "id"]
    assert meta["mime_type"] == "image/png"
    assert meta["file_size"] == len(data)
    assert meta["sha256"] == hashlib.sha256(data).hexdigest()
    assert meta["url"].startswith("http://sandbox.test/whatsapp_business/attachments/?mid=")
    download = await client.get(meta["url"])
    assert download.status_code == 200
    assert download.content == data
    assert download.headers["content-type"] == "image/png"

    deleted = await client.delete(f"/v23.0/{media_id}")
    assert deleted.json() == {"success": True}
    error = error_of(await client.get(f"/v23.0/{media_id}"), 400, 100)
    assert error["error_subcode"] == 33
    assert (await client.get(meta["url"])).status_code == 404


async def test_download_requires_the_bearer_token(client: httpx.AsyncClient) -> None:
    meta = (await client.get("/v23.0/1013859600285441")).json()

    anonymous = await client.get(meta["url"], headers={"Authorization": ""})
    wrong = await client.get(meta["url"], headers={"Authorization": "Bearer nope"})
    query_token = await client.get(
        meta["url"] + f"&access_token={TOKEN}", headers={"Authorization": ""}
    )

    error_of(anonymous, 401, 190)
    error_of(wrong, 401, 190)
    assert query_token.status_code == 200


async def test_download_url_expires_after_five_minutes(
    client: httpx.AsyncClient, clock: Clock
) -> None:
    meta = (await client.get("/v23.0/1013859600285442")).json()

    clock.advance(299)
    assert (await client.get(meta["url"])).status_code == 200
    clock.advance(2)
    assert (await client.get(meta["url"])).status_code == 404


async def test_forged_download_url_is_404(client: httpx.AsyncClient) -> None:
    meta = (await client.get("/v23.0/1013859600285442")).json()
    forged = meta["url"].replace("mid=1013859600285442", "mid=1013859600285441")

    assert (await client.get(forged)).status_code == 404


async def test_phone_number_id_check(client: httpx.AsyncClient) -> None:
    ok = await client.get("/v23.0/1013859600285441", params={"phone_number_id": PNID})
    wrong = await client.get("/v23.0/1013859600285441", params={"phone_number_id": "1"})

    assert ok.status_code == 200
    assert "does not belong" in error_of(wrong, 400, 100)["error_data"]["details"]


@pytest.mark.parametrize(
    ("mime", "size"),
    [
        ("image/jpeg", 5 * MB),
        ("video/mp4", 16 * MB),
        ("audio/ogg", 1),
        ("audio/mpeg", 10),
        ("application/pdf", 10),
        ("text/plain", 10),
        ("image/webp", 500 * KB),
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", 10),
    ],
)
async def test_supported_types_up_to_their_limit(
    client: httpx.AsyncClient, mime: str, size: int
) -> None:
    response = await upload(client, b"x" * size, mime)

    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("mime", "size", "code", "detail"),
    [
        ("image/jpeg", 5 * MB + 1, 131053, "exceeds the maximum"),
        ("video/mp4", 16 * MB + 1, 131053, "exceeds the maximum"),
        ("image/webp", 500 * KB + 1, 131053, "exceeds the maximum"),
        ("image/gif", 10, 100, "Param file must be a file with one of the following types"),
        ("application/zip", 10, 100, "application/zip"),
        ("image/png", 0, 131053, "empty"),
    ],
)
async def test_upload_limits(
    client: httpx.AsyncClient, mime: str, size: int, code: int, detail: str
) -> None:
    response = await upload(client, b"x" * size, mime)

    assert detail in error_of(response, 400, code)["error_data"]["details"]


@pytest.mark.parametrize(
    ("fields", "files", "code"),
    [
        ({"type": "image/png"}, {"file": ("a.png", b"x", "image/png")}, 100),
        (
            {"messaging_product": "sms", "type": "image/png"},
            {"file": ("a.png", b"x", "image/png")},
            100,
        ),
        ({"messaging_product": "whatsapp", "type": "image/png"}, None, 131008),
    ],
    ids=["no-product", "bad-product", "no-file"],
)
async def test_upload_form_errors(
    client: httpx.AsyncClient, fields: dict[str, str], files: Any, code: int
) -> None:
    response = await client.post(MEDIA, data=fields, files=files)

    error_of(response, 400, code)


async def test_type_falls_back_to_the_file_content_type(client: httpx.AsyncClient) -> None:
    response = await upload(
        client, b"%PDF", "application/pdf", fields={"messaging_product": "whatsapp"}
    )

    assert response.status_code == 200


async def test_upload_is_recorded_without_bytes(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    await upload(client, b"y" * 42, "image/jpeg", filename="p.jpg")

    (recorded,) = sandbox.requests
    assert recorded.form == {
        "messaging_product": "whatsapp",
        "type": "image/jpeg",
        "file": {"filename": "p.jpg", "content_type": "image/jpeg", "size": 42},
    }
    assert recorded.json is None


async def test_uploaded_id_can_be_sent(client: httpx.AsyncClient) -> None:
    media_id = (await upload(client, b"\xff\xd8", "image/jpeg")).json()["id"]

    response = await client.post(MESSAGES, json=message("image", image={"id": media_id}))

    assert response.status_code == 200


async def test_deleted_id_cannot_be_sent(client: httpx.AsyncClient) -> None:
    media_id = (await upload(client, b"\xff\xd8", "image/jpeg")).json()["id"]
    await client.delete(f"/v23.0/{media_id}")

    response = await client.post(MESSAGES, json=message("image", image={"id": media_id}))

    error_of(response, 400, 131009)


async def test_malformed_multipart_is_code_100(client: httpx.AsyncClient) -> None:
    response = await client.post(
        MEDIA,
        content=b"--xyz\r\nContent-Disposition: form-data\r\n\r\nbroken",
        headers={"content-type": "multipart/form-data; boundary=xyz"},
    )

    error_of(response, 400, 100)
