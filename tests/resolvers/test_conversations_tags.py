"""tagContact: add and remove a contact's tags, with bad tags reported field by field."""

from __future__ import annotations

from tests.conftest import CUSTOMER, GraphQL
from whatsapp.conversations.contacts import get_or_create_contact

TAG = """
mutation T($waId: String!, $add: [String!], $remove: [String!]) {
  tagContact(waId: $waId, add: $add, remove: $remove) {
    contact { waId tags }
    errors { code message field }
  }
}"""


async def test_tag_contact_adds_and_removes(gql: GraphQL) -> None:
    contact = await get_or_create_contact(CUSTOMER)
    contact.tags = ["lead", "trial"]
    await contact.save()

    result = await gql(TAG, {"waId": "+1 555 123 4567", "add": ["customer"], "remove": ["trial"]})

    assert result["data"]["tagContact"] == {
        "contact": {"waId": CUSTOMER, "tags": ["customer", "lead"]},
        "errors": [],
    }
    await contact.refresh_from_db()
    assert contact.tags == ["customer", "lead"]


async def test_tag_contact_errors(gql: GraphQL) -> None:
    await get_or_create_contact(CUSTOMER)

    bad_tags = await gql(TAG, {"waId": CUSTOMER, "add": ["ok", "not ok"], "remove": ["x" * 65]})
    unknown = await gql(TAG, {"waId": "15559990000", "add": ["x"]})
    both = await gql(TAG, {"waId": CUSTOMER, "add": ["x"], "remove": ["x"]})

    assert [e["field"] for e in bad_tags["data"]["tagContact"]["errors"]] == [
        ["add", "1"],
        ["remove", "0"],
    ]
    assert unknown["data"]["tagContact"] == {
        "contact": None,
        "errors": [
            {"code": "NOT_FOUND", "message": "No contact with that WhatsApp id", "field": ["waId"]}
        ],
    }
    assert both["data"]["tagContact"]["errors"][0]["field"] == ["remove"]
