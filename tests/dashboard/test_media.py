"""`GET /media/{messageId}`: a message's media for a key holder, fetched from Meta (the
sandbox, over real HTTP) once and then served from the bounded cache; every refusal in words,
never a 500; and served so that a file cannot act in the browser."""

from __future__ import annotations

import asyncio
import base64
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from app.server import create_app
from models import MessageType, WhatsAppMessage
from sandbox import Sandbox
from sandbox.faults import FaultSpec
from tests.conftest import PHONE_NUMBER_ID, GraphQL, make_settings
from tests.resolvers.test_messages_send import SEND, TO, upload
from tests.webhooks.test_whatsapp_webhook import customer_says, outbound, post_webhook
from whatsapp.cloud.client import CloudError, MediaTooLarge
from whatsapp.messages.media_fetch import FetchedMedia, MediaCache

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@pytest.fixture
async def wagraph(db: str, sandbox: Sandbox, sandbox_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """An app of its own per test: its media cache starts empty (the sandbox's media ids
    start over with every reset)."""
    async with app(db, sandbox_url) as client:
        yield client


@asynccontextmanager
async def app(db: str, sandbox_url: str, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    application = create_app(make_settings(db, sandbox_url, **overrides))
    async with LifespanManager(application) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://wagraph") as client:
            client.app = application  # type: ignore[attr-defined]
            yield client


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def customer_sends(
    client: httpx.AsyncClient, sandbox_url: str, kind: str = "image", **spec: Any
) -> WhatsAppMessage:
    """A customer's media message, from the sandbox's webhook through ours into the table."""
    spec.setdefault("data_base64", base64.b64encode(PNG).decode())
    spec.setdefault("mime_type", "image/png")
    sent = await customer_says(sandbox_url, kind, **{kind: spec})
    assert (await post_webhook(client, sent["payload"])).status_code == 200
    return await WhatsAppMessage.get(wamid=sent["wamid"])


def meta_calls(sandbox: Sandbox) -> list[str]:
    """The Graph API and download requests Meta (the sandbox) answered, by path."""
    return [r.path for r in sandbox.requests if r.method == "GET"]


# -- served ------------------------------------------------------------------------------------


async def test_a_customers_image_is_served_to_a_read_key(
    wagraph: httpx.AsyncClient, sandbox: Sandbox, sandbox_url: str, read_key: str
) -> None:
    # given
    message = await customer_sends(wagraph, sandbox_url)
    media_id = message.content["image"]["id"]  # type: ignore[index]

    # when
    response = await wagraph.get(f"/media/{message.id}", headers=bearer(read_key))

    # then: the bytes, asked of Meta by its id and downloaded from its URL
    assert response.status_code == 200, response.text
    assert response.content == PNG
    assert response.headers["content-type"] == "image/png"
    assert response.headers["cache-control"] == "private, max-age=3600"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"] == "inline"
    assert "sandbox" in response.headers["content-security-policy"].split("; ")
    assert response.headers["vary"] == "Authorization"
    calls = meta_calls(sandbox)
    assert len(calls) == 2
    assert calls[0].endswith(f"/{media_id}")
    assert "/whatsapp_business/attachments/" in calls[1]


async def test_a_second_look_is_served_from_the_cache(
    wagraph: httpx.AsyncClient, sandbox: Sandbox, sandbox_url: str, read_key: str
) -> None:
    message = await customer_sends(wagraph, sandbox_url)
    first = await wagraph.get(f"/media/{message.id}", headers=bearer(read_key))
    assert first.status_code == 200
    asked = len(meta_calls(sandbox))

    # when
    again = await wagraph.get(f"/media/{message.id}", headers=bearer(read_key))

    # then: the same bytes, and Meta was not asked again
    assert again.status_code == 200
    assert again.content == PNG
    assert len(meta_calls(sandbox)) == asked


async def test_looks_at_once_share_one_download(
    wagraph: httpx.AsyncClient, sandbox: Sandbox, sandbox_url: str, read_key: str
) -> None:
    message = await customer_sends(wagraph, sandbox_url)
    responses = await asyncio.gather(
        *(wagraph.get(f"/media/{message.id}", headers=bearer(read_key)) for _ in range(5))
    )
    assert [r.status_code for r in responses] == [200] * 5
    assert len(meta_calls(sandbox)) == 2  # one URL asked for, one download


async def test_media_we_uploaded_and_sent_is_served(
    wagraph: httpx.AsyncClient, sandbox: Sandbox, write_key: str, customer: str
) -> None:
    # given: an image uploaded and sent through GraphQL
    media = (await upload(wagraph, write_key, "photo.png", PNG, "image/png"))["media"]
    sent = await GraphQL(wagraph, write_key)(
        SEND, {"input": {"to": TO, "content": {"image": {"mediaId": media["id"]}}}}
    )
    message = sent["data"]["sendMessage"]["message"]

    # when
    response = await wagraph.get(f"/media/{message['id']}", headers=bearer(write_key))

    # then
    assert response.status_code == 200, response.text
    assert response.content == PNG
    assert any(path.endswith(f"/{media['metaId']}") for path in meta_calls(sandbox))


async def test_a_message_naming_our_upload_id_is_served_by_metas(
    wagraph: httpx.AsyncClient, sandbox: Sandbox, write_key: str
) -> None:
    # given: a stored message whose content still names our upload (a UUID), not Meta's id
    media = (await upload(wagraph, write_key, "photo.png", PNG, "image/png"))["media"]
    named = await outbound(type=MessageType.IMAGE, content={"image": {"mediaId": media["id"]}})
    unknown = await outbound(
        wamid="wamid.OUT2",
        type=MessageType.IMAGE,
        content={"image": {"mediaId": str(uuid.uuid4())}},
    )

    # when
    served = await wagraph.get(f"/media/{named.id}", headers=bearer(write_key))
    missing = await wagraph.get(f"/media/{unknown.id}", headers=bearer(write_key))

    # then
    assert served.status_code == 200
    assert served.content == PNG
    assert missing.status_code == 404
    assert missing.json() == {"error": "This message's upload is not known", "code": "NOT_FOUND"}


async def test_a_scriptable_document_is_a_download_never_a_page(
    wagraph: httpx.AsyncClient, sandbox_url: str, read_key: str
) -> None:
    # given: a customer sends an HTML "document" with a script in it
    html = b"<html><script>alert(document.domain)</script></html>"
    message = await customer_sends(
        wagraph,
        sandbox_url,
        "document",
        mime_type="text/html",
        filename='invoice "2024".html',
        data_base64=base64.b64encode(html).decode(),
    )

    # when
    response = await wagraph.get(f"/media/{message.id}", headers=bearer(read_key))

    # then: bytes to save, not a page to render
    assert response.status_code == 200
    assert response.content == html
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-disposition"] == (
        "attachment; filename*=UTF-8''invoice%20%222024%22.html"
    )
    assert response.headers["x-content-type-options"] == "nosniff"


# -- refused -----------------------------------------------------------------------------------


async def test_no_key_or_a_bad_key_is_401_like_graphql(
    wagraph: httpx.AsyncClient, sandbox: Sandbox, sandbox_url: str
) -> None:
    message = await customer_sends(wagraph, sandbox_url)
    for headers, words in (
        ({}, "Missing API key"),
        (bearer("wag_not-a-key"), "Invalid, revoked or expired API key"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "Missing API key"),
    ):
        response = await wagraph.get(f"/media/{message.id}", headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == 'Bearer realm="wagraph"'
        assert response.json() == {
            "data": None,
            "errors": [{"message": words, "extensions": {"code": "UNAUTHENTICATED"}}],
        }
    assert meta_calls(sandbox) == []  # nothing is fetched for a stranger


async def test_an_unknown_message_is_404_in_words(
    wagraph: httpx.AsyncClient, read_key: str
) -> None:
    for message_id in (str(uuid.uuid4()), "not-an-id"):
        response = await wagraph.get(f"/media/{message_id}", headers=bearer(read_key))
        assert response.status_code == 404
        assert response.json() == {
            "error": f"No message with id {message_id!r}",
            "code": "NOT_FOUND",
        }


async def test_a_message_without_media_is_404_in_words(
    wagraph: httpx.AsyncClient, read_key: str
) -> None:
    message = await outbound(type=MessageType.TEXT, text="Hello")
    response = await wagraph.get(f"/media/{message.id}", headers=bearer(read_key))
    assert response.status_code == 404
    assert response.json() == {
        "error": "This message has no media (it is a TEXT message)",
        "code": "NOT_FOUND",
    }


async def test_media_sent_by_public_link_is_named_not_fetched(
    wagraph: httpx.AsyncClient, sandbox: Sandbox, read_key: str
) -> None:
    # given: an image we sent by link; fetching it would make us a proxy to any URL (SSRF)
    link = "http://169.254.169.254/latest/meta-data/"
    message = await outbound(
        type=MessageType.IMAGE,
        content={"image": {"link": link}},
        payload={"type": "image", "image": {"link": link}},
    )

    # when
    response = await wagraph.get(f"/media/{message.id}", headers=bearer(read_key))

    # then
    assert response.status_code == 404
    assert response.json() == {
        "error": f"This message's media is a public link: {link}",
        "code": "PUBLIC_LINK",
        "link": link,
    }
    assert meta_calls(sandbox) == []


async def test_meta_refusing_the_media_is_502_with_its_reason(
    wagraph: httpx.AsyncClient, sandbox: Sandbox, sandbox_url: str, read_key: str
) -> None:
    # given: Meta no longer has the customer's file (deleted, or past its 30 days)
    message = await customer_sends(wagraph, sandbox_url)
    sandbox.media.delete(message.content["image"]["id"])  # type: ignore[index]

    # when
    response = await wagraph.get(f"/media/{message.id}", headers=bearer(read_key))

    # then
    assert response.status_code == 502
    body = response.json()
    assert body["code"] == "CLOUD_API_ERROR"
    assert body["metaCode"] == 100
    assert body["error"].startswith("Meta did not give the media: (100) ")
    assert "does not exist" in body["error"]


async def test_meta_failing_is_502_and_a_later_look_succeeds(
    wagraph: httpx.AsyncClient, sandbox: Sandbox, sandbox_url: str, read_key: str
) -> None:
    message = await customer_sends(wagraph, sandbox_url)
    attempts = wagraph.app.state.runtime.cloud.config.max_attempts  # type: ignore[attr-defined]
    sandbox.faults.enqueue(
        [FaultSpec(kind="error", status=503, code=131016, method="GET")] * attempts
    )

    # when: Meta answers 503 to every retry
    failed = await wagraph.get(f"/media/{message.id}", headers=bearer(read_key))

    # then: said, and nothing was cached: the next look fetches it
    assert failed.status_code == 502
    assert failed.json()["code"] == "CLOUD_API_ERROR"
    assert failed.json()["metaCode"] == 131016
    assert sandbox.faults.state()["queue"] == []
    again = await wagraph.get(f"/media/{message.id}", headers=bearer(read_key))
    assert again.status_code == 200
    assert again.content == PNG


async def test_media_over_the_cap_is_refused_before_it_is_downloaded(
    db: str, sandbox: Sandbox, sandbox_url: str, read_key: str
) -> None:
    async with app(db, sandbox_url, media_max_bytes=1024) as client:
        message = await customer_sends(client, sandbox_url)  # PNG is 1,032 bytes
        response = await client.get(f"/media/{message.id}", headers=bearer(read_key))
    assert response.status_code == 502
    assert response.json() == {
        "error": "The media is too large to show here: The file is 1,032 bytes; at most "
        "1,024 bytes are fetched",
        "code": "MEDIA_TOO_LARGE",
        "maxBytes": 1024,
    }
    assert not any("attachments" in path for path in meta_calls(sandbox))


# -- the client's download, and the cache's bounds -----------------------------------------------


async def test_a_download_stops_past_its_limit(
    wagraph: httpx.AsyncClient, sandbox_url: str
) -> None:
    message = await customer_sends(wagraph, sandbox_url)
    cloud = wagraph.app.state.runtime.cloud  # type: ignore[attr-defined]
    info = await cloud.get_media(message.content["image"]["id"], PHONE_NUMBER_ID)  # type: ignore[index]
    with pytest.raises(MediaTooLarge):
        await cloud.download_media(info.url, max_bytes=100)
    assert await cloud.download_media(info.url, max_bytes=len(PNG)) == PNG


@pytest.mark.parametrize(
    "url",
    [
        "https://attacker.example/whatsapp_business/attachments/?mid=1",
        "http://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1",  # not https
        "https://fbsbx.com.attacker.example/x",
    ],
)
async def test_the_token_goes_to_no_other_host(
    wagraph: httpx.AsyncClient, sandbox: Sandbox, url: str
) -> None:
    cloud = wagraph.app.state.runtime.cloud  # type: ignore[attr-defined]
    with pytest.raises(CloudError, match="unexpected host"):
        await cloud.download_media(url, max_bytes=1024)


def test_the_cache_is_bounded_in_bytes_in_files_and_per_file() -> None:
    def media(size: int) -> FetchedMedia:
        return FetchedMedia(data=b"x" * size, mime_type="image/png", filename=None, kind="image")

    cache = MediaCache(max_bytes=1000, max_files=3)
    cache.put(("n", "big"), media(251))  # over a quarter of the budget: not kept
    assert cache.get(("n", "big")) is None
    for name in ("a", "b", "c"):
        cache.put(("n", name), media(250))
    assert cache.get(("n", "a")) is not None  # a is now the most recently used
    cache.put(("n", "d"), media(250))  # a fourth file: b, the least recently used, goes
    assert [cache.get(("n", k)) is not None for k in "abcd"] == [True, False, True, True]
    assert (len(cache), cache.bytes) == (3, 750)
    for name in ("e", "f", "g", "h"):
        cache.put(("n", name), media(250))
    assert cache.bytes <= 1000
    assert len(cache) == 3


def test_no_cache_when_its_budget_is_zero() -> None:
    cache = MediaCache(max_bytes=0)
    cache.put(("n", "a"), FetchedMedia(b"x", "image/png", None, "image"))
    assert len(cache) == 0
