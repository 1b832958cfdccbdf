"""A customer edits or deletes a message (`type: edit` / `revoke`), and message types wagraph
stores without understanding them: composed payloads posted signed, asserted on what is stored
and on what GraphQL returns."""

from __future__ import annotations

import asyncio
import copy
from datetime import datetime
from typing import Any

import httpx

from models import (
    MessageType,
    WebhookDeadLetter,
    WhatsAppAnalyticsEvent,
    WhatsAppMessage,
    WhatsAppSession,
)
from tests.conftest import GraphQL
from tests.webhooks.cases import load_case, post_case
from tests.webhooks.test_whatsapp_webhook import envelope, post_webhook

ANA, ANA_BSUID = "15551234567", "US.13491208655302741918"
ORIGINAL = "wamid.CORPUS-EDIT-ORIG"

MESSAGE = """
query M($id: ID!) {
  message(id: $id) {
    id wamid type text content editedAt deletedAt
    revisions { text content replacedAt }
    session { id }
    contact { bsuid }
  }
}"""


async def message(gql: GraphQL, wamid: str) -> dict[str, Any]:
    result = await gql(MESSAGE, {"id": wamid})
    assert "errors" not in result, result
    found: dict[str, Any] = result["data"]["message"]
    return found


async def events(name: str) -> list[WhatsAppAnalyticsEvent]:
    return await WhatsAppAnalyticsEvent.filter(name=name).order_by("created_at")


async def test_an_edit_replaces_the_text_and_keeps_what_it_replaced(
    client: httpx.AsyncClient, gql: GraphQL
) -> None:
    # given: Ana wrote
    await post_case(client, "edit_original")
    [session] = await WhatsAppSession.all()

    # when: she edits it, and the edit is delivered twice
    await post_case(client, "edit_text")
    await post_case(client, "edit_text")

    # then: one message, with the new words and the old ones in its history
    found = await message(gql, ORIGINAL)
    assert found["text"] == "I'd like 3 pairs of the red ones"
    assert found["content"]["text"] == {"body": "I'd like 3 pairs of the red ones"}
    assert found["editedAt"] is not None
    assert [r["text"] for r in found["revisions"]] == ["I'd like 2 pairs of the red ones"]
    assert found["revisions"][0]["content"]["text"] == {"body": "I'd like 2 pairs of the red ones"}
    assert await WhatsAppMessage.all().count() == 1
    # an edit opens no session and adds no message to the window
    assert await WhatsAppSession.all().count() == 1
    assert found["session"]["id"] == str(session.id)
    [edited] = await events("message.edited")
    assert edited.message_id is not None and str(edited.message_id) == found["id"]
    assert edited.session_id == session.id
    assert edited.properties["oldText"] == "I'd like 2 pairs of the red ones"
    assert edited.properties["newText"] == "I'd like 3 pairs of the red ones"
    assert edited.properties["editWamid"] == "wamid.CORPUS-EDIT-1"
    assert await events("message.received") != []
    assert await events("webhook.unhandled") == []


async def test_copies_of_an_edit_and_a_revoke_landing_together_apply_once(
    client: httpx.AsyncClient, gql: GraphQL
) -> None:
    # given
    await post_case(client, "edit_original")

    # when: three copies of each, serialised differently, at the same moment
    await asyncio.gather(
        *(
            post_webhook(client, load_case(case), indent=indent)
            for case in ("edit_text", "revoke_original")
            for indent in (None, 1, 2)
        )
    )

    # then
    found = await message(gql, ORIGINAL)
    assert found["text"] == "I'd like 3 pairs of the red ones"
    assert len(found["revisions"]) == 1
    assert found["deletedAt"] is not None
    assert len(await events("message.edited")) == 1
    assert len(await events("message.deleted")) == 1


async def test_edits_applied_out_of_order_leave_the_newest_text(
    client: httpx.AsyncClient, gql: GraphQL
) -> None:
    # given
    await post_case(client, "edit_original")

    # when: the second edit arrives before the first
    await post_case(client, "edit_text_again")
    await post_case(client, "edit_text")

    # then: the newest words win, and the history reads in the order it happened
    found = await message(gql, ORIGINAL)
    assert found["text"] == "I'd like 4 pairs of the red ones"
    assert [r["text"] for r in found["revisions"]] == [
        "I'd like 2 pairs of the red ones",
        "I'd like 3 pairs of the red ones",
    ]
    assert found["revisions"][0]["replacedAt"] < found["revisions"][1]["replacedAt"]
    assert len(await events("message.edited")) == 2


async def test_an_edit_of_a_message_never_seen_is_kept_as_that_message(
    client: httpx.AsyncClient, gql: GraphQL
) -> None:
    # when: an edit names a message wagraph never stored (edit.text, the other spelling)
    await post_case(client, "edit_unknown")
    await post_case(client, "edit_unknown")

    # then: stored once, as the customer's message, under the original's wamid
    found = await message(gql, "wamid.CORPUS-NEVER-SEEN")
    assert (found["type"], found["text"]) == ("TEXT", "Actually, size 38 please")
    assert found["editedAt"] is not None
    assert [r["text"] for r in found["revisions"]] == [None]
    assert found["contact"]["bsuid"] == ANA_BSUID
    assert found["session"] is not None  # the normal inbound path: the customer wrote
    assert await WhatsAppMessage.all().count() == 1
    assert len(await events("message.received")) == 1

    # when: the original arrives late
    late = load_case("edit_original")
    late["entry"][0]["changes"][0]["value"]["messages"][0]["id"] = "wamid.CORPUS-NEVER-SEEN"
    await post_webhook(client, late)

    # then: the edited words stay
    assert (await message(gql, "wamid.CORPUS-NEVER-SEEN"))["text"] == "Actually, size 38 please"
    assert await WhatsAppMessage.all().count() == 1


async def test_a_revoke_marks_the_message_deleted_once(
    client: httpx.AsyncClient, gql: GraphQL
) -> None:
    # given
    await post_case(client, "edit_original")

    # when: deleted, delivered twice
    await post_case(client, "revoke_original")
    await post_case(client, "revoke_original")

    # then
    found = await message(gql, ORIGINAL)
    assert found["deletedAt"] is not None
    assert found["text"] == "I'd like 2 pairs of the red ones"  # kept for the record
    [deleted] = await events("message.deleted")
    assert str(deleted.message_id) == found["id"]
    assert deleted.properties["revokeWamid"] == "wamid.CORPUS-REVOKE-1"
    assert await WhatsAppMessage.all().count() == 1
    assert await events("webhook.unhandled") == []


async def test_a_revoke_of_a_message_never_seen_is_kept_and_applies_when_it_arrives(
    client: httpx.AsyncClient, gql: GraphQL
) -> None:
    # when: a revoke names a message wagraph never stored, twice
    await post_case(client, "revoke_unknown")
    await post_case(client, "revoke_unknown")

    # then: kept as one message.deleted event, with no message and nothing else stored
    [deleted] = await events("message.deleted")
    assert deleted.message_id is None
    assert deleted.properties["wamid"] == "wamid.CORPUS-GONE"
    assert deleted.properties["known"] is False
    assert deleted.properties["bsuid"] == ANA_BSUID
    assert await WhatsAppMessage.all().count() == 0

    # when: the message itself arrives afterwards (Meta does not keep order)
    late = load_case("edit_original")
    late["entry"][0]["changes"][0]["value"]["messages"][0]["id"] = "wamid.CORPUS-GONE"
    await post_webhook(client, late)

    # then: it is stored deleted, at the time the revoke said
    deleted_at = (await message(gql, "wamid.CORPUS-GONE"))["deletedAt"]
    assert datetime.fromisoformat(deleted_at) == datetime.fromisoformat(
        deleted.properties["deletedAt"]
    )


async def test_an_edit_without_new_content_is_set_aside_and_the_rest_applied(
    client: httpx.AsyncClient,
) -> None:
    # given: a delivery with a broken edit between two good messages
    good = load_case("edit_original")["entry"][0]["changes"][0]["value"]["messages"][0]
    second = {**copy.deepcopy(good), "id": "wamid.CORPUS-AFTER"}
    broken = {
        **copy.deepcopy(good),
        "id": "wamid.CORPUS-BROKEN-EDIT",
        "type": "edit",
        "edit": {"original_message_id": good["id"]},
    }
    del broken["text"]

    # when
    await post_webhook(client, envelope({"messages": [good, broken, second]}))

    # then
    assert await WhatsAppMessage.filter(wamid__in=[good["id"], second["id"]]).count() == 2
    [letter] = await WebhookDeadLetter.all()
    assert "without new content" in letter.reason
    assert await events("message.edited") == []


async def test_an_unknown_type_is_stored_and_kept_raw_but_known_ones_are_not_unhandled(
    client: httpx.AsyncClient, gql: GraphQL
) -> None:
    # given
    base = {"from": ANA, "from_user_id": ANA_BSUID, "timestamp": "1767225600"}
    hologram = {**base, "id": "wamid.HOLO", "type": "hologram", "hologram": {"frames": 24}}
    unsupported = {
        **base,
        "id": "wamid.UNSUP",
        "type": "unsupported",
        "errors": [{"code": 131051, "title": "Message type unknown"}],
    }
    welcome = {**base, "id": "wamid.WELCOME", "type": "request_welcome"}

    # when
    for item in (hologram, unsupported, welcome, hologram):
        await post_webhook(client, envelope({"messages": [item]}))

    # then: all stored; only the type nobody knows is also kept raw, once
    stored = {m.wamid: m for m in await WhatsAppMessage.all()}
    assert stored["wamid.HOLO"].type == MessageType.UNSUPPORTED
    assert stored["wamid.UNSUP"].type == MessageType.UNSUPPORTED
    assert stored["wamid.WELCOME"].type == MessageType.SYSTEM
    assert stored["wamid.WELCOME"].text == "request_welcome: opened the chat"
    [unhandled] = await events("webhook.unhandled")
    assert unhandled.properties["field"] == "messages.messages"
    assert unhandled.properties["value"]["hologram"] == {"frames": 24}
    holo = await message(gql, "wamid.HOLO")
    assert (holo["type"], holo["content"]["hologram"]) == ("UNSUPPORTED", {"frames": 24})
