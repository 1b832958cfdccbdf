"""Content kinds and the builders of the plain ones: text, media, location and contacts.

The media helpers (an uploaded id or a public link) serve interactive headers and template
parameters too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from whatsapp.kit.errors import FieldPath, ProblemCollector
from whatsapp.kit.phone import wa_id_digits
from whatsapp.messages.payloads.rules import (
    CAPTION,
    CONTACT_CARDS,
    TEXT_BODY,
    Length,
    as_object,
    choice_of,
    forbid,
    is_number,
    item_paths,
    one_of,
    optional_flag,
    optional_text,
    put,
    renamed,
    required_text,
)

MESSAGE_KINDS: tuple[str, ...] = (
    "text",
    "image",
    "video",
    "audio",
    "document",
    "sticker",
    "location",
    "contacts",
    "buttons",
    "list",
    "ctaUrl",
    "flow",
)
MEDIA_KINDS: tuple[str, ...] = ("image", "video", "audio", "document", "sticker")
INTERACTIVE_TYPES = {"buttons": "button", "list": "list", "ctaUrl": "cta_url", "flow": "flow"}
MESSAGE_TYPES = {
    kind: "interactive" if kind in INTERACTIVE_TYPES else kind for kind in MESSAGE_KINDS
}
WA_PHONE_TYPES = frozenset({"CELL", "MAIN", "IPHONE", "HOME", "WORK"})
_BIRTHDAY = re.compile(r"\d{4}-\d{2}-\d{2}")

Builder = Callable[[ProblemCollector, Mapping[str, Any], FieldPath], Any]


def text_message(
    problems: ProblemCollector, spec: Mapping[str, Any], path: FieldPath
) -> dict[str, Any]:
    text: dict[str, Any] = {"body": required_text(problems, spec, "body", path, TEXT_BODY)}
    put(text, "preview_url", optional_flag(problems, spec, "previewUrl", path))
    return text


def media_message(kind: str) -> Builder:
    """A builder for one media kind: the same object, with caption/filename/voice where allowed."""

    def build(
        problems: ProblemCollector, spec: Mapping[str, Any], path: FieldPath
    ) -> dict[str, Any]:
        media = _media_source(problems, spec, path)
        if kind in ("image", "video", "document"):
            put(media, "caption", optional_text(problems, spec, "caption", path, CAPTION))
        else:
            forbid(problems, spec, "caption", path, f"{kind.capitalize()} messages take no caption")
        if kind == "document":
            put(media, "filename", optional_text(problems, spec, "filename", path))
        else:
            forbid(problems, spec, "filename", path, "Only documents take a filename")
        if kind == "audio":
            put(media, "voice", optional_flag(problems, spec, "voice", path))
        else:
            forbid(problems, spec, "voice", path, "Only audio messages take voice")
        return media

    return build


def location_message(
    problems: ProblemCollector, spec: Mapping[str, Any], path: FieldPath
) -> dict[str, Any]:
    location: dict[str, Any] = {
        "latitude": coordinate(problems, spec, "latitude", path, 90),
        "longitude": coordinate(problems, spec, "longitude", path, 180),
    }
    # Meta only renders the address under a name; both stay optional, as Meta allows.
    put(location, "name", optional_text(problems, spec, "name", path))
    put(location, "address", optional_text(problems, spec, "address", path))
    return location


def coordinate(
    problems: ProblemCollector, spec: Mapping[str, Any], key: str, path: FieldPath, limit: int
) -> Any:
    value = spec.get(key)
    label = key.capitalize()
    if value is None:
        problems.add(f"{label} is required", *path, key)
    elif not is_number(value) or not -limit <= value <= limit:
        problems.add(
            f"{label} must be a number between -{limit} and {limit} (got {value!r})", *path, key
        )
    return value


# --- Contacts -----------------------------------------------------------------------------------

_NAME_PARTS = {
    "firstName": "first_name",
    "lastName": "last_name",
    "middleName": "middle_name",
    "suffix": "suffix",
    "prefix": "prefix",
}
_ORG_FIELDS = {"company": "company", "department": "department", "title": "title"}
# (card key, value key, closed set of types or None for free-form)
_CONTACT_LINES: tuple[tuple[str, str, frozenset[str] | None], ...] = (
    ("phones", "phone", WA_PHONE_TYPES),
    ("emails", "email", None),
    ("urls", "url", None),
)
_ADDRESS_FIELDS = {
    "street": "street",
    "city": "city",
    "state": "state",
    "zip": "zip",
    "country": "country",
    "countryCode": "country_code",
    "type": "type",
}


def contact_cards(problems: ProblemCollector, cards: Any, path: FieldPath) -> list[dict[str, Any]]:
    return [
        _contact(problems, card, item_path)
        for card, item_path in item_paths(problems, cards, path, CONTACT_CARDS)
    ]


def _contact(problems: ProblemCollector, card: Any, path: FieldPath) -> dict[str, Any]:
    card = as_object(problems, card, path, "contact card")
    if card is None:
        return {}
    contact: dict[str, Any] = {"name": _contact_name(problems, card.get("name"), (*path, "name"))}
    for list_key, value_key, types in _CONTACT_LINES:
        if card.get(list_key):
            contact[list_key] = [
                _contact_line(problems, line, line_path, value_key, types)
                for line, line_path in item_paths(problems, card[list_key], (*path, list_key))
            ]
    if card.get("org"):
        org = as_object(problems, card["org"], (*path, "org"), "org")
        put(contact, "org", renamed(org, _ORG_FIELDS) if org else None)
    if card.get("addresses"):
        contact["addresses"] = [
            renamed(address, _ADDRESS_FIELDS)
            for address, item_path in item_paths(problems, card["addresses"], (*path, "addresses"))
            if as_object(problems, address, item_path, "address") is not None
        ]
    put(contact, "birthday", _birthday(problems, card, path))
    return contact


def _contact_name(problems: ProblemCollector, name: Any, path: FieldPath) -> dict[str, Any]:
    name = as_object(problems, name, path, "name")
    if name is None:
        return {}
    result = {
        "formatted_name": required_text(
            problems, name, "formattedName", path, Length("Formatted name")
        )
    }
    parts = renamed(name, _NAME_PARTS)
    if not parts:
        problems.add(
            "Contact name needs at least one of firstName, lastName, middleName, "
            "suffix or prefix besides formattedName",
            *path,
        )
    return result | parts


def _contact_line(
    problems: ProblemCollector, line: Any, path: FieldPath, key: str, types: frozenset[str] | None
) -> dict[str, Any]:
    """A phone/email/url line: its value under its own key, an optional `type`, a phone's waId.

    Phone types are a closed set; email and URL types are free-form labels.
    """
    line = as_object(problems, line, path, key)
    if line is None:
        return {}
    result = {key: required_text(problems, line, key, path, Length(key.capitalize()))}
    if types is None:
        put(result, "type", optional_text(problems, line, "type", path))
    else:
        put(result, "type", choice_of(problems, line, "type", path, types, "Phone type"))
    wa_id = line.get("waId")
    if key == "phone" and wa_id not in (None, ""):
        digits = wa_id_digits(wa_id)
        if digits is None:
            problems.add(
                f"waId must be a phone number of 7-15 digits (got {wa_id!r})", *path, "waId"
            )
        put(result, "wa_id", digits)
    return result


def _birthday(problems: ProblemCollector, card: Mapping[str, Any], path: FieldPath) -> str | None:
    birthday: str | None = optional_text(problems, card, "birthday", path)
    if birthday is not None and not _is_iso_date(birthday):
        problems.add(f"Birthday must be a date as YYYY-MM-DD (got {birthday!r})", *path, "birthday")
    return birthday


def _is_iso_date(value: str) -> bool:
    if not _BIRTHDAY.fullmatch(value):  # fromisoformat alone also takes 19900131 and week dates
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


# --- Media sources ------------------------------------------------------------------------------


def document_or_media(
    problems: ProblemCollector, kind: str, spec: Mapping[str, Any], path: FieldPath
) -> dict[str, Any]:
    """A media object for headers and template parameters: id or link, filename for documents."""
    media = _media_source(problems, spec, path)
    if kind == "document":
        put(media, "filename", optional_text(problems, spec, "filename", path))
    else:
        forbid(problems, spec, "filename", path, "Only documents take a filename")
    return media


def _media_source(
    problems: ProblemCollector, spec: Mapping[str, Any], path: FieldPath
) -> dict[str, Any]:
    """Exactly one of an uploaded media id (`id`) or a public `link`."""
    key = one_of(problems, spec, ("mediaId", "link"), path, "media source", among_all=False)
    if key == "mediaId":
        return {"id": required_text(problems, spec, "mediaId", path, Length("Media id"))}
    if key == "link":
        return {"link": check_url(problems, spec["link"], (*path, "link"), "Media link")}
    return {}


def check_url(problems: ProblemCollector, value: Any, path: FieldPath, label: str) -> Any:
    if value is None or value == "":
        problems.add(f"{label} is required", *path)
    elif not _is_http_url(value):
        problems.add(f"{label} must be an absolute http:// or https:// URL", *path)
    return value


def _is_http_url(value: object) -> bool:
    if not isinstance(value, str) or any(c.isspace() for c in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
