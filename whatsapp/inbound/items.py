"""A webhook delivery cut into items, each applied (and, when it cannot be, set aside) alone.

Meta nests what it says: `entry[]` → `changes[]` → a `value` that holds arrays (`messages`,
`statuses`, `calls`, `message_echoes`, `user_preferences`, …) for some fields and one object
for the others. One item is one element of such an array, or the whole value of a field that
has none. Walking the envelope never fails: a piece of it with the wrong shape becomes a
`malformed` item (set aside by the dispatcher with the reason), so the pieces around it are
still applied.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

# The arrays of each field's value and the kind of item each holds. A field not listed here
# is applied as one item of kind `value`.
ARRAYS: dict[str, dict[str, str]] = {
    "messages": {
        "messages": "message",
        "statuses": "status",
        "errors": "error",
        "calls": "call",
    },
    "calls": {"calls": "call", "statuses": "status", "errors": "error"},
    "smb_message_echoes": {"message_echoes": "echo", "errors": "error"},
    "user_preferences": {"user_preferences": "preference"},
}
# Keys of a value that describe its items rather than being items.
CONTEXT_KEYS = frozenset({"messaging_product", "metadata", "contacts"})
VALUE = "value"
MALFORMED = "malformed"
UNKNOWN_ARRAY = "unknown"


@dataclass(frozen=True, slots=True)
class WebhookItem:
    """One thing Meta said, with what applying it needs from around it."""

    field: str
    kind: str  # message, status, call, echo, preference, error, value, unknown, malformed
    body: Any
    position: str  # where it sat in its delivery: "entry 0 / change 1 / statuses 2"
    waba_id: str = ""
    phone_number_id: str = ""
    display_phone_number: str = ""
    contacts: list[Any] = dataclasses.field(default_factory=list)
    array: str = ""  # the array it came from (`messages`, `statuses`…), "" for a whole value
    problem: str = ""  # for a malformed piece: what is wrong with it

    @property
    def meta_key(self) -> str | None:
        """The item's identity in Meta's own terms, when it carries one (a message's wamid,
        a status's wamid and status, a call's id, event and time); None for the others."""
        body = self.body if isinstance(self.body, Mapping) else {}
        ident = body.get("id")
        if not isinstance(ident, str) or not ident:
            return None
        if self.kind in ("message", "echo"):
            return f"{self.kind}:{ident}"
        if self.kind == "status":
            participant = body.get("recipient_participant_id")  # one per participant in groups
            suffix = f":{participant}" if participant else ""
            return f"status:{ident}:{body.get('status')}{suffix}"
        if self.kind == "call":
            return f"call:{ident}:{body.get('event')}:{body.get('timestamp')}"
        return None

    def context(self) -> dict[str, Any]:
        """What is kept beside a dead letter to apply it later, as it would have been."""
        return {
            "field": self.field,
            "kind": self.kind,
            "array": self.array,
            "position": self.position,
            "wabaId": self.waba_id,
            "phoneNumberId": self.phone_number_id,
            "displayPhoneNumber": self.display_phone_number,
            "contacts": self.contacts,
            "problem": self.problem,
        }

    @classmethod
    def from_context(cls, context: Mapping[str, Any], body: Any) -> WebhookItem:
        return cls(
            field=str(context.get("field", "")),
            kind=str(context.get("kind", MALFORMED)),
            body=body,
            position=str(context.get("position", "")),
            waba_id=str(context.get("wabaId", "")),
            phone_number_id=str(context.get("phoneNumberId", "")),
            display_phone_number=str(context.get("displayPhoneNumber", "")),
            contacts=list(context.get("contacts") or []),
            array=str(context.get("array", "")),
            problem=str(context.get("problem", "")),
        )


def split(payload: Mapping[str, Any]) -> Iterator[WebhookItem]:
    """Every item of a delivery, in the order Meta wrote them."""
    for e, entry in enumerate(payload.get("entry") or []):
        where = f"entry {e}"
        if not isinstance(entry, Mapping):
            yield _malformed("", entry, where, "an entry is not an object")
            continue
        changes = entry.get("changes") or []
        if not isinstance(changes, list):
            yield _malformed("", entry, where, "changes is not a list")
            continue
        waba_id = str(entry.get("id") or "")
        for c, change in enumerate(changes):
            yield from _change_items(waba_id, change, f"{where} / change {c}")


def _change_items(waba_id: str, change: Any, where: str) -> Iterator[WebhookItem]:
    if not isinstance(change, Mapping) or not isinstance(change.get("field"), str):
        yield _malformed("", change, where, "a change without a field name")
        return
    name = change["field"]
    value = change.get("value")
    if value is None:
        value = {}
    arrays = ARRAYS.get(name)
    if arrays is None:
        yield WebhookItem(name, VALUE, value, where, waba_id=waba_id)
        return
    if not isinstance(value, Mapping):
        yield _malformed(name, value, where, f"the value of {name} is not an object")
        return
    found_metadata = value.get("metadata")
    metadata: Mapping[str, Any] = found_metadata if isinstance(found_metadata, Mapping) else {}
    contacts = value.get("contacts") if isinstance(value.get("contacts"), list) else []
    shared: dict[str, Any] = {
        "waba_id": waba_id,
        "phone_number_id": str(metadata.get("phone_number_id") or ""),
        "display_phone_number": str(metadata.get("display_phone_number") or ""),
        "contacts": contacts,
    }
    for key, found in value.items():
        if key in CONTEXT_KEYS:
            continue
        kind = arrays.get(key, UNKNOWN_ARRAY)
        if not isinstance(found, list):
            if kind == UNKNOWN_ARRAY:
                yield WebhookItem(name, kind, found, f"{where} / {key}", array=key, **shared)
            else:
                yield _malformed(name, found, f"{where} / {key}", f"{key} is not a list", shared)
            continue
        for i, body in enumerate(found):
            yield WebhookItem(name, kind, body, f"{where} / {key} {i}", array=key, **shared)


def _malformed(
    name: str, body: Any, where: str, problem: str, shared: Mapping[str, Any] | None = None
) -> WebhookItem:
    return WebhookItem(name, MALFORMED, body, where, problem=problem, **(shared or {}))
