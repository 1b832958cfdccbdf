"""Validation of `POST /{PNID}/messages` bodies with Meta's limits and codes (§2, §2.11).

`parse_send` returns either an `Outgoing` message or a `ReadReceipt`; it raises `GraphError`
for anything Meta rejects synchronously. Template component checks live in `template_send`
(they need the template store), interactive payloads in `interactive`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from sandbox import interactive
from sandbox.errors import bad_param, invalid, missing, unsupported_type
from sandbox.fields import (
    MediaKindOf,
    MediaRefs,
    boolean,
    check_keys,
    expect_list,
    expect_object,
    media_object,
    number,
    required,
    text,
)

MEDIA_TYPES = frozenset({"image", "video", "audio", "document", "sticker"})
SENDABLE = frozenset(
    {
        "text",
        "image",
        "video",
        "audio",
        "document",
        "sticker",
        "location",
        "contacts",
        "reaction",
        "interactive",
        "template",
    }
)
ENVELOPE_KEYS = frozenset(
    {
        "messaging_product",
        "recipient_type",
        "to",
        "recipient",
        "type",
        "context",
        "biz_opaque_callback_data",
    }
)
READ_KEYS = frozenset({"messaging_product", "status", "message_id", "typing_indicator"})
_TO_SEPARATORS = str.maketrans("", "", "+ -()")
_DIGITS = re.compile(r"^\d{7,15}$")
# A BSUID (`US.13491208655302741918`) or parent BSUID (`US.ENT.11815799212886844830`), §11.2.
_BSUID = re.compile(r"^[A-Z]{2}\.(ENT\.)?[A-Za-z0-9]{1,128}$")
CALLBACK_DATA_MAX = 512


@dataclass(slots=True)
class Outgoing:
    """A syntactically valid message, ready for limits and acceptance.

    `wa_id` is the normalised `to` (None when only `recipient`, a BSUID, names the user).
    """

    to_raw: Any
    wa_id: str | None
    type: str
    payload: Any
    callback_data: str | None
    context_id: str | None
    refs: MediaRefs = field(default_factory=MediaRefs)
    reaction_target: str | None = None
    recipient: str | None = None
    group_id: str | None = None  # `recipient_type: "group"`: `to` is a Groups API id


@dataclass(slots=True)
class ReadReceipt:
    message_id: str
    typing: bool


def parse_send(
    body: Any, *, kind_of: MediaKindOf, extra_keys: frozenset[str] = frozenset()
) -> Outgoing | ReadReceipt:
    """`extra_keys`: top-level keys an endpoint adds (the Marketing Messages API's options)."""
    body = expect_object(body, "body")
    product = body.get("messaging_product")
    if product is None:
        raise bad_param("The parameter messaging_product is required.")
    if product != "whatsapp":
        raise bad_param("Param messaging_product must be 'whatsapp'")
    if "status" in body:
        return _parse_read(body)

    msg_type = body.get("type", "text")
    if not isinstance(msg_type, str):
        raise bad_param("Param type must be a string")
    if msg_type not in SENDABLE:
        raise unsupported_type(f"Message type '{msg_type}' is not supported")
    check_keys(body, ENVELOPE_KEYS | extra_keys | {msg_type}, "message")
    wa_id, bsuid, group_id = _addressee(body)
    callback_data = text(
        body, "biz_opaque_callback_data", "", max_len=CALLBACK_DATA_MAX, min_len=0, optional=True
    )
    context_id = _context(body.get("context"))
    if msg_type not in body:
        raise missing(f"Param {msg_type} is required for messages of type '{msg_type}'")

    out = Outgoing(body.get("to"), wa_id, msg_type, body[msg_type], callback_data, context_id)
    out.recipient = bsuid
    out.group_id = group_id
    _validate_payload(out, kind_of)
    return out


def _addressee(body: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    """(number, BSUID, group id) the send names: `to` and/or `recipient`, or a group's `to`."""
    recipient_type = body.get("recipient_type", "individual")
    to_raw, recipient = body.get("to"), body.get("recipient")
    if recipient_type == "group":
        if recipient is not None:
            raise invalid("Param recipient (a business-scoped user ID) is for individual sends")
        if to_raw is None:
            raise missing("Param to is required (the group ID) for recipient_type 'group'")
        if not isinstance(to_raw, str) or not to_raw.strip():
            raise bad_param("Param to must be a string (the group ID)")
        return None, None, to_raw
    if recipient_type != "individual":
        raise invalid("Param recipient_type must be one of {individual, group}")
    if to_raw is None and recipient is None:
        raise missing(
            "Param to is required (a phone number), or recipient (a business-scoped user ID)"
        )
    wa_id = normalise_to(to_raw) if to_raw is not None else None
    bsuid = check_recipient(recipient) if recipient is not None else None
    return wa_id, bsuid, None


def check_recipient(value: Any) -> str:
    """A BSUID or parent BSUID, used whole: country code, period, alphanumerics (131009)."""
    if not isinstance(value, str):
        raise bad_param("Param recipient must be a string")
    if not _BSUID.fullmatch(value):
        raise invalid(
            f"Invalid 'recipient' parameter '{value}': expected a business-scoped user ID "
            "like US.13491208655302741918"
        )
    return value


def normalise_to(value: Any) -> str:
    """Strip `+`, spaces, dashes and parentheses; what is left must be 7-15 digits (131009)."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise bad_param("Param to must be a string")
    digits = str(value).translate(_TO_SEPARATORS)
    if not _DIGITS.fullmatch(digits):
        raise invalid(
            f"Invalid 'to' parameter '{value}': expected a phone number in international "
            "format with 7 to 15 digits"
        )
    return digits


def _context(value: Any) -> str | None:
    if value is None:
        return None
    obj = expect_object(value, "context")
    check_keys(obj, frozenset({"message_id"}), "context")
    return text(obj, "message_id", "context", max_len=256)


def _parse_read(body: dict[str, Any]) -> ReadReceipt:
    check_keys(body, READ_KEYS, "message")
    if body["status"] != "read":
        raise invalid("Param status must be 'read'")
    message_id = text(body, "message_id", "", max_len=256)
    assert message_id is not None
    typing = body.get("typing_indicator")
    if typing is not None:
        obj = expect_object(typing, "typing_indicator")
        check_keys(obj, frozenset({"type"}), "typing_indicator")
        if required(obj, "type", "typing_indicator") != "text":
            raise invalid("Param typing_indicator.type must be 'text'")
    return ReadReceipt(message_id, typing is not None)


def _validate_payload(out: Outgoing, kind_of: MediaKindOf) -> None:
    msg_type, payload = out.type, out.payload
    if msg_type == "text":
        obj = expect_object(payload, "text")
        check_keys(obj, frozenset({"body", "preview_url"}), "text")
        text(obj, "body", "text", max_len=4096)
        boolean(obj, "preview_url", "text")
    elif msg_type in MEDIA_TYPES:
        media_object(payload, msg_type, msg_type, kind_of=kind_of, refs=out.refs)
    elif msg_type == "location":
        check_location(payload, "location")
    elif msg_type == "contacts":
        _check_contacts(payload)
    elif msg_type == "reaction":
        out.reaction_target = _check_reaction(payload)
    elif msg_type == "interactive":
        interactive.check(payload, kind_of=kind_of, refs=out.refs)
    elif msg_type == "template":
        expect_object(payload, "template")  # components checked against the store later


def check_location(value: Any, where: str, *, require_labels: bool = False) -> None:
    obj = expect_object(value, where)
    check_keys(obj, frozenset({"latitude", "longitude", "name", "address"}), where)
    number(obj, "latitude", where, -90, 90)
    number(obj, "longitude", where, -180, 180)
    text(obj, "name", where, max_len=1000, optional=not require_labels)
    text(obj, "address", where, max_len=1000, optional=not require_labels)


_NAME_PARTS = ("first_name", "last_name", "middle_name", "suffix", "prefix")
_CONTACT_KEYS = frozenset({"name", "phones", "emails", "org", "addresses", "urls", "birthday"})
_LIST_ITEMS: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    "phones": (frozenset({"phone", "type", "wa_id"}), ("CELL", "MAIN", "IPHONE", "HOME", "WORK")),
    "emails": (frozenset({"email", "type"}), ("HOME", "WORK")),
    "urls": (frozenset({"url", "type"}), ("HOME", "WORK")),
    "addresses": (
        frozenset({"street", "city", "state", "zip", "country", "country_code", "type"}),
        ("HOME", "WORK"),
    ),
}
_BIRTHDAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _check_contacts(value: Any) -> None:
    contacts = expect_list(value, "contacts")
    if not contacts:
        raise missing("Param contacts must contain at least one contact")
    for i, raw in enumerate(contacts):
        where = f"contacts[{i}]"
        contact = expect_object(raw, where)
        check_keys(contact, _CONTACT_KEYS, where)
        name = expect_object(required(contact, "name", where), f"{where}.name")
        check_keys(name, frozenset({"formatted_name", *_NAME_PARTS}), f"{where}.name")
        text(name, "formatted_name", f"{where}.name", max_len=1000)
        if not any(isinstance(name.get(part), str) and name[part] for part in _NAME_PARTS):
            raise missing(
                f"Param {where}.name requires formatted_name and at least one of "
                + ", ".join(_NAME_PARTS)
            )
        for key, (allowed, types) in _LIST_ITEMS.items():
            if key in contact:
                for j, item in enumerate(expect_list(contact[key], f"{where}.{key}")):
                    item_where = f"{where}.{key}[{j}]"
                    obj = expect_object(item, item_where)
                    check_keys(obj, allowed, item_where)
                    kind = obj.get("type")
                    if kind is not None and kind not in types:
                        raise invalid(
                            f"Param {item_where}.type must be one of {{{', '.join(types)}}}"
                        )
        if "org" in contact:
            org = expect_object(contact["org"], f"{where}.org")
            check_keys(org, frozenset({"company", "department", "title"}), f"{where}.org")
        birthday = contact.get("birthday")
        if birthday is not None and (
            not isinstance(birthday, str) or not _BIRTHDAY.fullmatch(birthday)
        ):
            raise invalid(f"Param {where}.birthday must be YYYY-MM-DD")


def _check_reaction(value: Any) -> str:
    obj = expect_object(value, "reaction")
    check_keys(obj, frozenset({"message_id", "emoji"}), "reaction")
    message_id = text(obj, "message_id", "reaction", max_len=256)
    if "emoji" not in obj or obj["emoji"] is None:
        raise missing('Param reaction.emoji is required (use "" to remove a reaction)')
    emoji = obj["emoji"]
    if not isinstance(emoji, str):
        raise bad_param("Param reaction.emoji must be a string")
    if emoji and not is_single_emoji(emoji):
        raise invalid("Param reaction.emoji must be exactly one emoji")
    assert message_id is not None
    return message_id


_ZWJ = "\u200d"
_JOINERS = frozenset({"\ufe0f", "\ufe0e", "\u20e3"})


def _is_modifier(ch: str) -> bool:
    code = ord(ch)
    return 0x1F3FB <= code <= 0x1F3FF or 0xE0020 <= code <= 0xE007F


def _is_regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def is_single_emoji(value: str) -> bool:
    """One emoji grapheme: ZWJ sequences, skin tones, keycaps and flags count as one."""
    clusters = 0
    previous = ""
    regional_run = 0
    for ch in value:
        if ch in _JOINERS or _is_modifier(ch) or ch == _ZWJ:
            if not clusters:
                return False
        elif previous == _ZWJ:
            if unicodedata.category(ch) != "So":
                return False
        elif _is_regional(ch) and regional_run % 2 == 1:
            pass  # second half of a flag
        else:
            is_keycap_base = ch in "0123456789#*"
            if unicodedata.category(ch) != "So" and not is_keycap_base and not _is_regional(ch):
                return False
            clusters += 1
        regional_run = regional_run + 1 if _is_regional(ch) else 0
        previous = ch
    if clusters != 1:
        return False
    if value[0] in "0123456789#*":
        return "\u20e3" in value  # a bare digit is not an emoji; a keycap is
    return True
