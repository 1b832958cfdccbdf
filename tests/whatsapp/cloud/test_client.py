"""The Cloud API client against the sandbox: endpoints, error envelope, retry policy."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from sandbox import Sandbox
from tests.conftest import ACCESS_TOKEN, PHONE_NUMBER_ID, WABA_ID
from tests.resolvers.test_messages_cloud_failures import queue_faults
from whatsapp.cloud.client import CloudApiError, CloudClient, CloudConfig, CloudTransportError


@pytest.fixture
async def cloud(sandbox_url: str, sandbox: Sandbox) -> AsyncIterator[CloudClient]:
    client = CloudClient(
        CloudConfig(
            base_url=sandbox_url,
            version="v23.0",
            access_token=ACCESS_TOKEN,
            timeout_s=0.5,
            max_attempts=3,
            backoff_base_s=0.01,
            backoff_max_s=0.05,
        )
    )
    yield client
    await client.aclose()


TEXT = {
    "messaging_product": "whatsapp",
    "to": "15551234567",
    "type": "text",
    "text": {"body": "hi"},
}


async def test_send_returns_wamid_and_wa_id(cloud: CloudClient) -> None:
    sent = await cloud.send_message(PHONE_NUMBER_ID, {**TEXT, "to": "+1 555 123 4567"})

    assert sent.wamid.startswith("wamid.")
    assert sent.wa_id == "15551234567"


async def test_meta_error_envelope_is_typed(cloud: CloudClient) -> None:
    with pytest.raises(CloudApiError) as caught:
        await cloud.send_message(PHONE_NUMBER_ID, {**TEXT, "text": {"body": "x" * 5000}})

    error = caught.value
    assert error.http_status == 400
    assert error.code in {100, 131009}
    assert error.title and not error.title.startswith("(#")
    assert error.details
    assert error.retryable is False
    assert error.fbtrace_id


async def test_unknown_phone_number_id_has_subcode_33(cloud: CloudClient) -> None:
    with pytest.raises(CloudApiError) as caught:
        await cloud.send_message("999999", TEXT)

    assert (caught.value.code, caught.value.subcode) == (100, 33)


async def test_bad_token_is_code_190_not_retried(sandbox_url: str, sandbox: Sandbox) -> None:
    client = CloudClient(CloudConfig(base_url=sandbox_url, version="v23.0", access_token="bad"))
    try:
        with pytest.raises(CloudApiError) as caught:
            await client.send_message(PHONE_NUMBER_ID, TEXT)
    finally:
        await client.aclose()

    assert caught.value.code == 190
    assert sandbox.stats()["rejected"] == 1


async def test_throttling_is_retried(
    cloud: CloudClient, sandbox_url: str, sandbox: Sandbox
) -> None:
    await queue_faults(sandbox_url, {"status": 400, "code": 130429})

    sent = await cloud.send_message(PHONE_NUMBER_ID, TEXT)

    assert sent.wamid
    assert sandbox.stats()["faulted"] == 1


async def test_unreachable_api_is_a_transport_error_after_retries() -> None:
    client = CloudClient(
        CloudConfig(
            base_url="http://127.0.0.1:9",
            version="v23.0",
            access_token="x",
            max_attempts=2,
            backoff_base_s=0.01,
        )
    )
    try:
        with pytest.raises(CloudTransportError):
            await client.send_message(PHONE_NUMBER_ID, TEXT)
    finally:
        await client.aclose()


async def test_upload_and_fetch_media(cloud: CloudClient) -> None:
    data = b"%PDF-1.4 fake but small"

    media_id = await cloud.upload_media(
        PHONE_NUMBER_ID, data=data, filename="a.pdf", mime_type="application/pdf"
    )
    info = await cloud.get_media(media_id)

    assert media_id.isdigit()
    assert (info.id, info.mime_type, info.file_size) == (media_id, "application/pdf", len(data))
    async with httpx.AsyncClient() as http:
        download = await http.get(info.url, headers={"Authorization": f"Bearer {ACCESS_TOKEN}"})
    assert download.content == data


async def test_templates_are_listed_page_by_page(cloud: CloudClient, sandbox: Sandbox) -> None:
    pages = [page async for page in cloud.iter_templates(WABA_ID, limit=5)]

    names = [(t["name"], t["language"]) for page in pages for t in page.templates]
    assert len(pages) == 4
    assert len(names) == len(set(names)) == len(sandbox.templates)
    assert not pages[-1].has_next
