"""Contacts by identity in GraphQL: `contact(id | waId | bsuid)`, `tagContact` by id, number or
BSUID, search by username, and the consent a contact shows."""

from __future__ import annotations

from typing import Any

import httpx

from models import WhatsAppContact
from tests.conftest import GraphQL
from tests.webhooks.cases import post_case
from whatsapp.conversations.contacts import get_or_create_contact

PABLO = "US.18402957316640219381"

CONTACT = """
query C($id: ID, $waId: String, $bsuid: String) {
  contact(id: $id, waId: $waId, bsuid: $bsuid) {
    id bsuid username waId marketingConsent { state since source history { totalCount } }
  }
}"""

TAG = """
mutation T($contactId: ID, $waId: String, $bsuid: String, $add: [String!]) {
  tagContact(contactId: $contactId, waId: $waId, bsuid: $bsuid, add: $add) {
    contact { id tags }
    errors { code message field }
  }
}"""

SEARCH = """
query S($search: String!) { contacts(filter: {search: $search}) { edges { node { bsuid } } } }
"""


async def test_contact_is_found_by_exactly_one_of_id_number_and_bsuid(
    client: httpx.AsyncClient, gql: GraphQL
) -> None:
    # given: a customer who hides their number
    await post_case(client, "username_only_from_absent")
    contact = await WhatsAppContact.get(bsuid=PABLO)

    # when / then
    by_id = (await gql(CONTACT, {"id": str(contact.id)}))["data"]["contact"]
    by_bsuid = (await gql(CONTACT, {"bsuid": PABLO}))["data"]["contact"]
    assert (
        by_id
        == by_bsuid
        == {
            "id": str(contact.id),
            "bsuid": PABLO,
            "username": "@pablomorales",
            "waId": None,
            "marketingConsent": {
                "state": "UNKNOWN",
                "since": None,
                "source": None,
                "history": {"totalCount": 0},
            },
        }
    )
    for nothing in ({"bsuid": "US.1"}, {"id": "not-an-id"}, {"waId": "not a number"}):
        assert (await gql(CONTACT, nothing))["data"]["contact"] is None
    for wrong in ({}, {"id": str(contact.id), "bsuid": PABLO}):
        result = await gql(CONTACT, wrong)
        assert result["data"]["contact"] is None
        assert result["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_tag_contact_by_id_by_number_and_by_bsuid(
    client: httpx.AsyncClient, gql: GraphQL
) -> None:
    await post_case(client, "username_only_from_absent")
    pablo = await WhatsAppContact.get(bsuid=PABLO)
    numbered = await get_or_create_contact("15551234567")

    by_id = await gql(TAG, {"contactId": str(pablo.id), "add": ["vip"]})
    by_bsuid = await gql(TAG, {"bsuid": PABLO, "add": ["es"]})
    by_number = await gql(TAG, {"waId": "+1 555 123 4567", "add": ["us"]})
    none: dict[str, Any] = await gql(TAG, {"add": ["x"]})
    both = await gql(TAG, {"contactId": str(pablo.id), "waId": "15551234567", "add": ["x"]})
    unknown = await gql(TAG, {"bsuid": "US.999", "add": ["x"]})

    assert by_id["data"]["tagContact"]["contact"]["tags"] == ["vip"]
    assert by_bsuid["data"]["tagContact"]["contact"] == {"id": str(pablo.id), "tags": ["es", "vip"]}
    assert by_number["data"]["tagContact"]["contact"] == {"id": str(numbered.id), "tags": ["us"]}
    assert [(e["code"], e["field"]) for e in none["data"]["tagContact"]["errors"]] == [
        ("INVALID_INPUT", ["contactId"])
    ]
    assert [(e["code"], e["field"]) for e in both["data"]["tagContact"]["errors"]] == [
        ("INVALID_INPUT", ["waId"])
    ]
    assert unknown["data"]["tagContact"]["errors"] == [
        {
            "code": "NOT_FOUND",
            "message": "No contact with that business-scoped user id",
            "field": ["bsuid"],
        }
    ]


async def test_search_matches_usernames_and_bsuids(client: httpx.AsyncClient, gql: GraphQL) -> None:
    await post_case(client, "username_only_from_absent")
    await post_case(client, "username_only_from_empty")

    async def found(search: str) -> list[str]:
        result = await gql(SEARCH, {"search": search})
        return [edge["node"]["bsuid"] for edge in result["data"]["contacts"]["edges"]]

    assert await found("pablomor") == [PABLO]
    assert await found("@SHEENA.N") == ["GB.15829371046618203957"]
    assert await found(PABLO) == [PABLO]
    assert await found("nobody") == []
