"""Our content JSON -> Meta's Graph API message JSON, validated the way Meta would validate it.

Pure functions on the send hot path: no I/O, no GraphQL. Every builder checks the whole input
and raises one `WagraphError` listing every problem, each with a `field` path into the GraphQL
input (camelCase keys, list indexes as strings), so a client can fix everything in one round
and Meta is never called with a payload it would reject.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any
from urllib.parse import urlsplit

from whatsapp.kit.errors import ErrorCode, FieldPath, ProblemCollector, WagraphError
from whatsapp.kit.phone import normalize_wa_id, wa_id_digits

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
_INTERACTIVE_TYPES = {"buttons": "button", "list": "list", "ctaUrl": "cta_url", "flow": "flow"}
_MESSAGE_TYPES = {
    kind: "interactive" if kind in _INTERACTIVE_TYPES else kind for kind in MESSAGE_KINDS
}

MESSAGING_PRODUCT = "whatsapp"
FLOW_MESSAGE_VERSION = "3"
DESCRIBE_MAX = 200
CALLBACK_DATA_MAX = 512
TEMPLATE_BUTTON_INDEX_MAX = 9
WA_PHONE_TYPES = frozenset({"CELL", "MAIN", "IPHONE", "HOME", "WORK"})


# --- Limits -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Length:
    """A text field: its name in messages and Meta's length limit (None: Meta sets none)."""

    label: str
    max: int | None = None


@dataclass(frozen=True, slots=True)
class Count:
    """A list: what its items are called in messages and how many Meta takes."""

    noun: str
    min: int = 1
    max: int | None = None


TEXT_BODY = Length("Text body", 4096)
CAPTION = Length("Caption", 1024)
INTERACTIVE_BODY = Length("Body", 1024)
FOOTER = Length("Footer", 60)
HEADER_TEXT = Length("Header text", 60)
BUTTON_ID = Length("Button id", 256)
BUTTON_TITLE = Length("Button title", 20)
LIST_BUTTON_TEXT = Length("List button text", 20)
SECTION_TITLE = Length("Section title", 24)
ROW_ID = Length("Row id", 200)
ROW_TITLE = Length("Row title", 24)
ROW_DESCRIPTION = Length("Row description", 72)
CTA_DISPLAY_TEXT = Length("Button text", 20)
FLOW_CTA = Length("Flow button text", 20)
FLOW_TOKEN = Length("Flow token", 200)
CALLBACK_DATA = Length("Callback data", CALLBACK_DATA_MAX)
TEMPLATE_HEADER_TEXT = Length("Header parameter text", 60)
TEMPLATE_BODY_TEXT = Length("Body parameter text", 1024)
# Meta allows long body parameters only when the body is the template's only component.
TEMPLATE_BODY_ONLY_TEXT = Length("Body parameter text", 32768)
COUPON_CODE = Length("Coupon code", 20)

REPLY_BUTTONS = Count("buttons", 1, 3)
LIST_SECTIONS = Count("list sections", 1, 10)
LIST_ROWS = Count("list rows in total", 1, 10)
SECTION_ROWS = Count("rows in each section", 1)
CONTACT_CARDS = Count("contact cards", 1)

_TEMPLATE_NAME = re.compile(r"[a-z0-9_]{1,512}")
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:_[A-Z]{2})?")
_CURRENCY_CODE = re.compile(r"[A-Z]{3}")
_BIRTHDAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# Meta refuses template text parameters with these (error 132018 / 100), whatever the length.
_TEMPLATE_TEXT_FORBIDDEN = re.compile(r"[\n\t]| {5,}")
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")


# --- Emoji --------------------------------------------------------------------------------------
# Python's `re` knows neither grapheme clusters nor Extended_Pictographic, so the emoji grammar of
# Unicode TS #51 is spelled out: flags, keycaps, subdivision flags, and pictographs with optional
# presentation selector or skin tone, joined by ZWJ.

_REGIONAL_INDICATOR = "\U0001f1e6-\U0001f1ff"
_SKIN_TONE = "\U0001f3fb-\U0001f3ff"
_PICTOGRAPH = (
    "\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u2199\u21a9\u21aa\u231a\u231b\u2328\u23cf"
    "\u23e9-\u23f3\u23f8-\u23fa\u24c2\u25aa\u25ab\u25b6\u25c0\u25fb-\u25fe\u2600-\u27bf"
    "\u2934\u2935\u2b05-\u2b07\u2b1b\u2b1c\u2b50\u2b55\u3030\u303d\u3297\u3299"
    "\U0001f000-\U0001f1e5\U0001f200-\U0001f3fa\U0001f400-\U0001faff"
)
_EMOJI_ELEMENT = (
    f"(?:[{_REGIONAL_INDICATOR}]{{2}}"
    "|[0-9#*]\ufe0f?\u20e3"
    "|\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f"
    f"|[{_PICTOGRAPH}](?:\ufe0f|[{_SKIN_TONE}])?)"
)
_ONE_EMOJI = re.compile(f"{_EMOJI_ELEMENT}(?:\u200d{_EMOJI_ELEMENT})*")
_ANY_EMOJI = re.compile(f"[{_PICTOGRAPH}{_REGIONAL_INDICATOR}{_SKIN_TONE}\u20e3]")


# --- Public API ---------------------------------------------------------------------------------


def content_kind(content: Mapping[str, Any]) -> str:
    """The content's single kind (`text`, `buttons`, …); INVALID_INPUT on `content` otherwise."""
    problems = ProblemCollector()
    kind = _one_of(problems, content, MESSAGE_KINDS, ("content",), "content")
    problems.raise_if_any()
    assert kind is not None  # _one_of reports a problem whenever it finds no kind
    return kind


def message_type(kind: str) -> str:
    """The Graph API `type` for a content kind: interactive kinds share `interactive`."""
    try:
        return _MESSAGE_TYPES[kind]
    except KeyError:
        raise ValueError(f"unknown message kind {kind!r}") from None


def build_message(
    *,
    to: str,
    content: Mapping[str, Any],
    reply_to_wamid: str | None = None,
    callback_data: str | None = None,
) -> dict[str, Any]:
    """The full `POST /{PNID}/messages` body for a free-form message."""
    problems = ProblemCollector()
    envelope = _envelope(
        problems, to, "", reply_to_wamid=reply_to_wamid, callback_data=callback_data
    )
    kind = _one_of(problems, content, MESSAGE_KINDS, ("content",), "content")
    payload = _content_payload(problems, kind, content[kind]) if kind else None
    problems.raise_if_any()
    assert kind is not None  # _one_of reports a problem whenever it finds no kind
    envelope["type"] = message_type(kind)  # the key was placed, in Meta's order, above
    envelope[envelope["type"]] = payload
    return envelope


def build_template(
    *,
    to: str,
    name: str,
    language: str,
    header: Mapping[str, Any] | None,
    body: Sequence[Mapping[str, Any]],
    buttons: Sequence[Mapping[str, Any]],
    reply_to_wamid: str | None = None,
    callback_data: str | None = None,
) -> dict[str, Any]:
    """The `POST /{PNID}/messages` body for a template message, parameters checked one by one.

    Whether the parameters fit the template's definition is `check_template_parameters`' job.
    """
    problems = ProblemCollector()
    envelope = _envelope(
        problems, to, "template", reply_to_wamid=reply_to_wamid, callback_data=callback_data
    )
    _check_pattern(
        problems,
        name,
        _TEMPLATE_NAME,
        ("name",),
        "Template name must be 1-512 lower-case letters, digits or underscores",
    )
    _check_pattern(
        problems, language, _LANGUAGE, ("language",), "Language must be a code like en or en_US"
    )
    components = _template_components(problems, header, body or (), buttons or ())
    problems.raise_if_any()
    template: dict[str, Any] = {
        "name": name,
        "language": {"code": language, "policy": "deterministic"},
    }
    if components:
        template["components"] = components
    envelope["template"] = template
    return envelope


def build_reaction(*, to: str, message_wamid: str, emoji: str) -> dict[str, Any]:
    """A reaction to `message_wamid`; `emoji=""` removes ours."""
    problems = ProblemCollector()
    envelope = _envelope(problems, to, "reaction")
    _check_wamid(problems, message_wamid, ("messageId",), "Message id")
    if not isinstance(emoji, str):
        problems.add("Emoji must be a string", "emoji")
    elif emoji and not _ONE_EMOJI.fullmatch(emoji):
        problems.add(
            f'Reaction must be exactly one emoji, or "" to remove it (got {emoji!r})', "emoji"
        )
    problems.raise_if_any()
    envelope["reaction"] = {"message_id": message_wamid, "emoji": emoji}
    return envelope


def build_mark_as_read(*, wamid: str, typing_indicator: bool = False) -> dict[str, Any]:
    """Mark an inbound message read, optionally showing "typing…" until we reply (≤ 25 s)."""
    problems = ProblemCollector()
    _check_wamid(problems, wamid, ("messageId",), "Message id")
    problems.raise_if_any()
    payload: dict[str, Any] = {
        "messaging_product": MESSAGING_PRODUCT,
        "status": "read",
        "message_id": wamid,
    }
    if typing_indicator:
        payload["typing_indicator"] = {"type": "text"}
    return payload


def template_placeholder_counts(components: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """What a send must supply for a template *definition* (Meta's HEADER/BODY/BUTTONS shape).

    `header` counts the parameters the header needs: its placeholders for a TEXT header, 1 for
    a media or location header (always sent as a parameter). `header_format` is None without a
    header. A button is `dynamic` when a send must give it a parameter.
    """
    counts: dict[str, Any] = {"header": 0, "header_format": None, "body": 0, "buttons": []}
    for component in components:
        kind = str(component.get("type", "")).upper()
        if kind == "HEADER":
            header_format = str(component.get("format") or "TEXT").upper()
            counts["header_format"] = header_format
            counts["header"] = (
                len(_placeholders(component.get("text"))) if header_format == "TEXT" else 1
            )
        elif kind == "BODY":
            counts["body"] = len(_placeholders(component.get("text")))
        elif kind == "BUTTONS":
            counts["buttons"] = [
                {
                    "index": index,
                    "type": str(button.get("type", "")).upper(),
                    "dynamic": _button_is_dynamic(button),
                }
                for index, button in enumerate(component.get("buttons") or ())
            ]
    return counts


def check_template_parameters(
    definition_components: Sequence[Mapping[str, Any]],
    *,
    header: Mapping[str, Any] | None,
    body: Sequence[Mapping[str, Any]],
    buttons: Sequence[Mapping[str, Any]],
) -> None:
    """Raise TEMPLATE_PARAMETER_MISMATCH for every way the parameters miss the definition.

    Meta answers a mismatch with a terse 132000 after the message is stored; checking against
    the synced definition lets us name the exact parameter instead.
    """
    problems = ProblemCollector()
    counts = template_placeholder_counts(definition_components)
    _match_header(problems, counts, header)
    _match_body(
        problems, counts["body"], _body_placeholder_names(definition_components), body or ()
    )
    _match_buttons(problems, counts["buttons"], buttons or ())
    problems.raise_if_any()


def describe(content: Mapping[str, Any]) -> str:
    """A one-line preview for dashboards ("buttons: Confirm? [Morning|Afternoon]"); never raises."""
    kind = next((k for k in MESSAGE_KINDS if _get(content, k) is not None), None)
    if kind is None:
        return ""
    summary = " ".join(_DESCRIBERS[kind](content[kind]).split())
    text = f"{kind}: {summary}" if summary else kind
    return text if len(text) <= DESCRIBE_MAX else text[: DESCRIBE_MAX - 1] + "…"


# --- Envelope -----------------------------------------------------------------------------------


def _envelope(
    problems: ProblemCollector,
    to: str,
    graph_type: str,
    *,
    reply_to_wamid: str | None = None,
    callback_data: str | None = None,
) -> dict[str, Any]:
    envelope: dict[str, Any] = {
        "messaging_product": MESSAGING_PRODUCT,
        "recipient_type": "individual",
        "to": _recipient(problems, to),
        "type": graph_type,
    }
    if reply_to_wamid is not None:
        _check_wamid(problems, reply_to_wamid, ("replyTo",), "Reply-to message id")
        envelope["context"] = {"message_id": reply_to_wamid}
    if callback_data is not None and callback_data != "":
        _text(problems, callback_data, ("callbackData",), CALLBACK_DATA, required=True)
        envelope["biz_opaque_callback_data"] = callback_data
    return envelope


def _recipient(problems: ProblemCollector, to: str) -> str:
    try:
        return normalize_wa_id(to)
    except WagraphError as error:
        problems.problems.extend(error.problems)
        return ""


def _check_wamid(problems: ProblemCollector, wamid: object, path: FieldPath, label: str) -> None:
    if not isinstance(wamid, str) or not wamid.strip():
        problems.add(f"{label} is required", *path)


# --- Content kinds ------------------------------------------------------------------------------

Builder = Callable[[ProblemCollector, Mapping[str, Any], FieldPath], Any]


def _content_payload(problems: ProblemCollector, kind: str, spec: Any) -> Any:
    path = ("content", kind)
    if kind == "contacts":
        return _contacts(problems, spec, path)
    spec = _object(problems, spec, path, kind)
    return _BUILDERS[kind](problems, spec, path) if spec is not None else None


def _text_message(
    problems: ProblemCollector, spec: Mapping[str, Any], path: FieldPath
) -> dict[str, Any]:
    text: dict[str, Any] = {"body": _required(problems, spec, "body", path, TEXT_BODY)}
    _put(text, "preview_url", _flag(problems, spec, "previewUrl", path))
    return text


def _media_message(kind: str) -> Builder:
    """A builder for one media kind: the same object, with caption/filename/voice where allowed."""

    def build(
        problems: ProblemCollector, spec: Mapping[str, Any], path: FieldPath
    ) -> dict[str, Any]:
        media = _media_source(problems, spec, path)
        if kind in ("image", "video", "document"):
            _put(media, "caption", _optional(problems, spec, "caption", path, CAPTION))
        else:
            _forbid(
                problems, spec, "caption", path, f"{kind.capitalize()} messages take no caption"
            )
        if kind == "document":
            _put(media, "filename", _optional(problems, spec, "filename", path))
        else:
            _forbid(problems, spec, "filename", path, "Only documents take a filename")
        if kind == "audio":
            _put(media, "voice", _flag(problems, spec, "voice", path))
        else:
            _forbid(problems, spec, "voice", path, "Only audio messages take voice")
        return media

    return build


def _location_message(
    problems: ProblemCollector, spec: Mapping[str, Any], path: FieldPath
) -> dict[str, Any]:
    location: dict[str, Any] = {
        "latitude": _coordinate(problems, spec, "latitude", path, 90),
        "longitude": _coordinate(problems, spec, "longitude", path, 180),
    }
    # Meta only renders the address under a name; both stay optional, as Meta allows.
    _put(location, "name", _optional(problems, spec, "name", path))
    _put(location, "address", _optional(problems, spec, "address", path))
    return location


def _coordinate(
    problems: ProblemCollector, spec: Mapping[str, Any], key: str, path: FieldPath, limit: int
) -> Any:
    value = spec.get(key)
    label = key.capitalize()
    if value is None:
        problems.add(f"{label} is required", *path, key)
    elif not _is_number(value) or not -limit <= value <= limit:
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


def _contacts(problems: ProblemCollector, cards: Any, path: FieldPath) -> list[dict[str, Any]]:
    return [
        _contact(problems, card, item_path)
        for card, item_path in _items(problems, cards, path, CONTACT_CARDS)
    ]


def _contact(problems: ProblemCollector, card: Any, path: FieldPath) -> dict[str, Any]:
    card = _object(problems, card, path, "contact card")
    if card is None:
        return {}
    contact: dict[str, Any] = {"name": _contact_name(problems, card.get("name"), (*path, "name"))}
    for list_key, value_key, types in _CONTACT_LINES:
        if card.get(list_key):
            contact[list_key] = [
                _contact_line(problems, line, line_path, value_key, types)
                for line, line_path in _items(problems, card[list_key], (*path, list_key))
            ]
    if card.get("org"):
        org = _object(problems, card["org"], (*path, "org"), "org")
        _put(contact, "org", _renamed(org, _ORG_FIELDS) if org else None)
    if card.get("addresses"):
        contact["addresses"] = [
            _renamed(address, _ADDRESS_FIELDS)
            for address, item_path in _items(problems, card["addresses"], (*path, "addresses"))
            if _object(problems, address, item_path, "address") is not None
        ]
    _put(contact, "birthday", _birthday(problems, card, path))
    return contact


def _contact_name(problems: ProblemCollector, name: Any, path: FieldPath) -> dict[str, Any]:
    name = _object(problems, name, path, "name")
    if name is None:
        return {}
    result = {
        "formatted_name": _required(problems, name, "formattedName", path, Length("Formatted name"))
    }
    parts = _renamed(name, _NAME_PARTS)
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
    line = _object(problems, line, path, key)
    if line is None:
        return {}
    result = {key: _required(problems, line, key, path, Length(key.capitalize()))}
    if types is None:
        _put(result, "type", _optional(problems, line, "type", path))
    else:
        _put(result, "type", _choice(problems, line, "type", path, types, "Phone type"))
    wa_id = line.get("waId")
    if key == "phone" and wa_id not in (None, ""):
        digits = wa_id_digits(wa_id)
        if digits is None:
            problems.add(
                f"waId must be a phone number of 7-15 digits (got {wa_id!r})", *path, "waId"
            )
        _put(result, "wa_id", digits)
    return result


def _birthday(problems: ProblemCollector, card: Mapping[str, Any], path: FieldPath) -> str | None:
    birthday: str | None = _optional(problems, card, "birthday", path)
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


# --- Interactive --------------------------------------------------------------------------------

_HEADER_KINDS = ("text", "image", "video", "document")
_FLOW_ACTIONS = frozenset({"navigate", "data_exchange"})
_FLOW_MODES = frozenset({"draft", "published"})
_FLOW_REFERENCES = {"flowId": "flow_id", "flowName": "flow_name"}


def _interactive(
    problems: ProblemCollector,
    kind: str,
    spec: Mapping[str, Any],
    path: FieldPath,
    header: dict[str, Any] | None,
    action: dict[str, Any],
) -> dict[str, Any]:
    """The shape every interactive message shares around its kind-specific `action`."""
    interactive: dict[str, Any] = {"type": _INTERACTIVE_TYPES[kind]}
    _put(interactive, "header", header)
    interactive["body"] = {"text": _required(problems, spec, "body", path, INTERACTIVE_BODY)}
    footer = _optional(problems, spec, "footer", path, FOOTER)
    if footer is not None:
        interactive["footer"] = {"text": footer}
    interactive["action"] = action
    return interactive


def _buttons_message(
    problems: ProblemCollector, spec: Mapping[str, Any], path: FieldPath
) -> dict[str, Any]:
    header = _header(problems, spec.get("header"), (*path, "header"))
    action = {"buttons": _reply_buttons(problems, spec.get("buttons"), (*path, "buttons"))}
    return _interactive(problems, "buttons", spec, path, header, action)


def _reply_buttons(
    problems: ProblemCollector, buttons: Any, path: FieldPath
) -> list[dict[str, Any]]:
    ids: set[str] = set()
    titles: set[str] = set()
    replies = []
    for button, item_path in _items(problems, buttons, path, REPLY_BUTTONS):
        button = _object(problems, button, item_path, "button")
        if button is None:
            continue
        button_id = _required(problems, button, "id", item_path, BUTTON_ID)
        _check_unique(problems, ids, button_id, (*item_path, "id"), "Button id")
        if button_id and button_id != button_id.strip():
            problems.add("Button id must not start or end with spaces", *item_path, "id")
        title = _required(problems, button, "title", item_path, BUTTON_TITLE)
        _check_unique(problems, titles, title, (*item_path, "title"), "Button title")
        replies.append({"type": "reply", "reply": {"id": button_id, "title": title}})
    return replies


def _list_message(
    problems: ProblemCollector, spec: Mapping[str, Any], path: FieldPath
) -> dict[str, Any]:
    header = _header(problems, spec.get("header"), (*path, "header"), media=False)
    action = {
        "button": _required(problems, spec, "buttonText", path, LIST_BUTTON_TEXT),
        "sections": _sections(problems, spec.get("sections"), (*path, "sections")),
    }
    return _interactive(problems, "list", spec, path, header, action)


def _sections(problems: ProblemCollector, sections: Any, path: FieldPath) -> list[dict[str, Any]]:
    items = _items(problems, sections, path, LIST_SECTIONS)
    row_ids: set[str] = set()
    result = []
    for section, item_path in items:
        section = _object(problems, section, item_path, "section")
        if section is None:
            continue
        built: dict[str, Any] = {}
        _put(built, "title", _optional(problems, section, "title", item_path, SECTION_TITLE))
        if "title" not in built and len(items) > 1:
            problems.add(
                "Section title is required when a list has more than one section",
                *item_path,
                "title",
            )
        built["rows"] = [
            _row(problems, row, row_path, row_ids)
            for row, row_path in _items(
                problems, section.get("rows"), (*item_path, "rows"), SECTION_ROWS
            )
        ]
        result.append(built)
    total_rows = sum(len(section["rows"]) for section in result)
    if total_rows:  # an empty section is reported on its own
        _check_count(problems, total_rows, path, LIST_ROWS)
    return result


def _row(
    problems: ProblemCollector, row: Any, path: FieldPath, row_ids: set[str]
) -> dict[str, Any]:
    row = _object(problems, row, path, "row")
    if row is None:
        return {}
    row_id = _required(problems, row, "id", path, ROW_ID)
    _check_unique(problems, row_ids, row_id, (*path, "id"), "Row id")
    built = {"id": row_id, "title": _required(problems, row, "title", path, ROW_TITLE)}
    _put(built, "description", _optional(problems, row, "description", path, ROW_DESCRIPTION))
    return built


def _cta_url_message(
    problems: ProblemCollector, spec: Mapping[str, Any], path: FieldPath
) -> dict[str, Any]:
    header = _header(problems, spec.get("header"), (*path, "header"))
    parameters = {
        "display_text": _required(problems, spec, "displayText", path, CTA_DISPLAY_TEXT),
        "url": _url(problems, spec.get("url"), (*path, "url"), "Button URL"),
    }
    action = {"name": "cta_url", "parameters": parameters}
    return _interactive(problems, "ctaUrl", spec, path, header, action)


def _flow_message(
    problems: ProblemCollector, spec: Mapping[str, Any], path: FieldPath
) -> dict[str, Any]:
    header = _header(problems, spec.get("header"), (*path, "header"))
    parameters: dict[str, Any] = {"flow_message_version": FLOW_MESSAGE_VERSION}
    flow_key = _one_of(problems, spec, tuple(_FLOW_REFERENCES), path, "flow", among_all=False)
    if flow_key is not None:
        parameters[_FLOW_REFERENCES[flow_key]] = _required(
            problems, spec, flow_key, path, Length(flow_key)
        )
    parameters["flow_token"] = _required(problems, spec, "flowToken", path, FLOW_TOKEN)
    cta = _required(problems, spec, "flowCta", path, FLOW_CTA)
    if cta and _ANY_EMOJI.search(cta):
        problems.add("Flow button text must not contain emoji", *path, "flowCta")
    parameters["flow_cta"] = cta
    action = _choice(problems, spec, "action", path, _FLOW_ACTIONS, "Flow action") or "navigate"
    parameters["flow_action"] = action
    _put(parameters, "flow_action_payload", _flow_action_payload(problems, spec, path, action))
    _put(parameters, "mode", _choice(problems, spec, "mode", path, _FLOW_MODES, "Flow mode"))
    return _interactive(
        problems, "flow", spec, path, header, {"name": "flow", "parameters": parameters}
    )


def _flow_action_payload(
    problems: ProblemCollector, spec: Mapping[str, Any], path: FieldPath, action: str
) -> dict[str, Any] | None:
    """`navigate` opens a named screen (with optional data); `data_exchange` asks our endpoint."""
    screen = _optional(problems, spec, "screen", path)
    data = spec.get("data")
    if action == "data_exchange":
        _forbid(
            problems,
            spec,
            "screen",
            path,
            "A data_exchange flow takes no screen; the flow endpoint chooses it",
        )
        if data is not None:
            problems.add(
                "A data_exchange flow takes no data; the flow endpoint supplies it", *path, "data"
            )
        return None
    if screen is None:
        problems.add("Screen is required when the flow action is navigate", *path, "screen")
    payload: dict[str, Any] = {"screen": screen}
    if data is not None:
        if not isinstance(data, Mapping) or not data:
            problems.add("Flow data must be a non-empty object when given", *path, "data")
        payload["data"] = data
    return payload


def _header(
    problems: ProblemCollector, header: Any, path: FieldPath, *, media: bool = True
) -> dict[str, Any] | None:
    """An interactive header; list messages (`media=False`) take text only, possibly bare."""
    if header is None or header == "":
        return None
    if isinstance(header, str) and not media:
        return {"type": "text", "text": _text(problems, header, path, HEADER_TEXT, required=True)}
    header = _object(problems, header, path, "header")
    if header is None:
        return None
    kind = _one_of(problems, header, _HEADER_KINDS, path, "header")
    if kind is None:
        return None
    if kind == "text":
        return {"type": "text", "text": _required(problems, header, "text", path, HEADER_TEXT)}
    if not media:
        problems.add(f"List messages take a text header only (got {kind})", *path, kind)
        return None
    source = _object(problems, header[kind], (*path, kind), kind)
    if source is None:
        return None
    return {"type": kind, kind: _document_or_media(problems, kind, source, (*path, kind))}


def _document_or_media(
    problems: ProblemCollector, kind: str, spec: Mapping[str, Any], path: FieldPath
) -> dict[str, Any]:
    """A media object for headers and template parameters: id or link, filename for documents."""
    media = _media_source(problems, spec, path)
    if kind == "document":
        _put(media, "filename", _optional(problems, spec, "filename", path))
    else:
        _forbid(problems, spec, "filename", path, "Only documents take a filename")
    return media


def _media_source(
    problems: ProblemCollector, spec: Mapping[str, Any], path: FieldPath
) -> dict[str, Any]:
    """Exactly one of an uploaded media id (`id`) or a public `link`."""
    key = _one_of(problems, spec, ("mediaId", "link"), path, "media source", among_all=False)
    if key == "mediaId":
        return {"id": _required(problems, spec, "mediaId", path, Length("Media id"))}
    if key == "link":
        return {"link": _url(problems, spec["link"], (*path, "link"), "Media link")}
    return {}


def _url(problems: ProblemCollector, value: Any, path: FieldPath, label: str) -> Any:
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


_BUILDERS: dict[str, Builder] = {
    "text": _text_message,
    **{kind: _media_message(kind) for kind in MEDIA_KINDS},
    "location": _location_message,
    "buttons": _buttons_message,
    "list": _list_message,
    "ctaUrl": _cta_url_message,
    "flow": _flow_message,
}


# --- Templates ----------------------------------------------------------------------------------

TEMPLATE_PARAMETER_KINDS: tuple[str, ...] = (
    "text",
    "currency",
    "dateTime",
    "image",
    "video",
    "document",
    "location",
)
_BODY_PARAMETER_KINDS = frozenset({"text", "currency", "dateTime"})
_TEXT_HEADER_PARAMETER_KINDS = _BODY_PARAMETER_KINDS
TEMPLATE_BUTTON_SUB_TYPES = frozenset({"QUICK_REPLY", "URL", "COPY_CODE", "FLOW"})
_BUTTON_PARAMETERS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "QUICK_REPLY": lambda value: {"type": "payload", "payload": value},
    "URL": lambda value: {"type": "text", "text": value},
    "COPY_CODE": lambda value: {"type": "coupon_code", "coupon_code": value},
    "FLOW": lambda value: {"type": "action", "action": {"flow_token": value}},
}
_BUTTON_PARAMETER_LENGTHS = {
    "QUICK_REPLY": Length("Button payload"),
    "URL": Length("URL suffix"),
    "COPY_CODE": COUPON_CODE,
    "FLOW": FLOW_TOKEN,
}
# Definition button type -> the subType that fills it; authentication OTP buttons take `url`.
_SUB_TYPE_FOR_BUTTON = {
    "QUICK_REPLY": "QUICK_REPLY",
    "URL": "URL",
    "COPY_CODE": "COPY_CODE",
    "FLOW": "FLOW",
    "OTP": "URL",
}

ParameterBuilder = Callable[[ProblemCollector, Any, FieldPath, Length], dict[str, Any]]


def _template_components(
    problems: ProblemCollector,
    header: Mapping[str, Any] | None,
    body: Sequence[Mapping[str, Any]],
    buttons: Sequence[Mapping[str, Any]],
) -> list[dict[str, Any]]:
    components: list[dict[str, Any]] = []
    if header is not None:
        parameter = _template_parameter(
            problems, header, ("header",), TEMPLATE_HEADER_TEXT, TEMPLATE_PARAMETER_KINDS
        )
        components.append({"type": "header", "parameters": [parameter]})
    if body:
        alone = header is None and not buttons
        text_length = TEMPLATE_BODY_ONLY_TEXT if alone else TEMPLATE_BODY_TEXT
        parameters = [
            _template_parameter(
                problems, parameter, ("body", str(index)), text_length, _BODY_PARAMETER_KINDS
            )
            for index, parameter in enumerate(body)
        ]
        components.append({"type": "body", "parameters": parameters})
    components.extend(_template_buttons(problems, buttons))
    return components


def _template_parameter(
    problems: ProblemCollector,
    parameter: Any,
    path: FieldPath,
    text_length: Length,
    allowed: Container[str],
) -> dict[str, Any]:
    parameter = _object(problems, parameter, path, "parameter")
    if parameter is None:
        return {}
    kind = _one_of(
        problems,
        parameter,
        TEMPLATE_PARAMETER_KINDS,
        path,
        "template parameter",
        extra=("parameterName",),
    )
    if kind is None:
        return {}
    if kind not in allowed:
        problems.add(
            f"Body parameters must be text, currency or dateTime (got {kind})", *path, kind
        )
        return {}
    built = _PARAMETER_BUILDERS[kind](problems, parameter[kind], (*path, kind), text_length)
    # Templates created with named placeholders ({{first_name}}) are sent with their names.
    _put(built, "parameter_name", _optional(problems, parameter, "parameterName", path))
    return built


def _text_parameter(
    problems: ProblemCollector, value: Any, path: FieldPath, length: Length
) -> dict[str, Any]:
    text = _text(problems, value, path, length, required=True)
    if text and _TEMPLATE_TEXT_FORBIDDEN.search(text):
        problems.add(
            "Template text parameters cannot contain new lines, tabs or more than "
            "4 consecutive spaces",
            *path,
        )
    return {"type": "text", "text": text}


def _currency_parameter(
    problems: ProblemCollector, value: Any, path: FieldPath, _length: Length
) -> dict[str, Any]:
    currency = _object(problems, value, path, "currency") or {}
    code = currency.get("code")
    _check_pattern(
        problems,
        code,
        _CURRENCY_CODE,
        (*path, "code"),
        "Currency code must be 3 upper-case letters (ISO 4217), e.g. USD",
    )
    amount = currency.get("amount1000")
    if not isinstance(amount, int) or isinstance(amount, bool):
        problems.add("amount1000 must be an integer: the amount times 1000", *path, "amount1000")
    fallback = _required(problems, currency, "fallbackValue", path, Length("Fallback value"))
    return {
        "type": "currency",
        "currency": {"fallback_value": fallback, "code": code, "amount_1000": amount},
    }


def _date_time_parameter(
    problems: ProblemCollector, value: Any, path: FieldPath, _length: Length
) -> dict[str, Any]:
    date_time = _object(problems, value, path, "dateTime") or {}
    fallback = _required(problems, date_time, "fallbackValue", path, Length("Fallback value"))
    return {"type": "date_time", "date_time": {"fallback_value": fallback}}


def _media_parameter(kind: str) -> ParameterBuilder:
    def build(
        problems: ProblemCollector, value: Any, path: FieldPath, _length: Length
    ) -> dict[str, Any]:
        media = _object(problems, value, path, kind) or {}
        return {"type": kind, kind: _document_or_media(problems, kind, media, path)}

    return build


def _location_parameter(
    problems: ProblemCollector, value: Any, path: FieldPath, _length: Length
) -> dict[str, Any]:
    spec = _object(problems, value, path, "location") or {}
    location = {
        "latitude": _coordinate(problems, spec, "latitude", path, 90),
        "longitude": _coordinate(problems, spec, "longitude", path, 180),
        # Unlike a location message, a template location header needs both.
        "name": _required(problems, spec, "name", path, Length("Location name")),
        "address": _required(problems, spec, "address", path, Length("Location address")),
    }
    return {"type": "location", "location": location}


_PARAMETER_BUILDERS: dict[str, ParameterBuilder] = {
    "text": _text_parameter,
    "currency": _currency_parameter,
    "dateTime": _date_time_parameter,
    "image": _media_parameter("image"),
    "video": _media_parameter("video"),
    "document": _media_parameter("document"),
    "location": _location_parameter,
}


def _template_buttons(
    problems: ProblemCollector, buttons: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    indexes: set[int] = set()
    components = []
    for button, path in _items(problems, buttons, ("buttons",)):
        button = _object(problems, button, path, "button")
        if button is None:
            continue
        index = _button_index(problems, button.get("index"), (*path, "index"), indexes)
        sub_type = _choice(
            problems, button, "subType", path, TEMPLATE_BUTTON_SUB_TYPES, "Button subType"
        )
        if sub_type is None:
            if button.get("subType") is None:
                problems.add("Button subType is required", *path, "subType")
            continue
        parameter = _required(
            problems, button, "parameter", path, _BUTTON_PARAMETER_LENGTHS[sub_type]
        )
        components.append(
            {
                "type": "button",
                "sub_type": sub_type.lower(),
                "index": str(index),
                "parameters": [_BUTTON_PARAMETERS[sub_type](parameter)],
            }
        )
    return components


def _button_index(problems: ProblemCollector, index: Any, path: FieldPath, seen: set[int]) -> Any:
    if (
        not isinstance(index, int)
        or isinstance(index, bool)
        or not 0 <= index <= TEMPLATE_BUTTON_INDEX_MAX
    ):
        problems.add(
            f"Button index must be a whole number 0-{TEMPLATE_BUTTON_INDEX_MAX} (got {index!r})",
            *path,
        )
    elif index in seen:
        problems.add(f"Button index {index} is given more than once", *path)
    else:
        seen.add(index)
    return index


# --- Template definitions -----------------------------------------------------------------------


def _placeholders(text: Any) -> list[str]:
    """Distinct placeholder names in order: `{{1}}` and named `{{first_name}}` alike."""
    if not isinstance(text, str):
        return []
    return list(dict.fromkeys(_PLACEHOLDER.findall(text)))


def _button_is_dynamic(button: Mapping[str, Any]) -> bool:
    """Whether sending needs a parameter: a URL with a placeholder, a coupon, a one-time code."""
    kind = str(button.get("type", "")).upper()
    if kind == "URL":
        return bool(_placeholders(button.get("url")))
    return kind in ("COPY_CODE", "OTP")


def _body_placeholder_names(components: Sequence[Mapping[str, Any]]) -> list[str] | None:
    """The body's placeholder names when the template uses named ones, else None."""
    for component in components:
        if str(component.get("type", "")).upper() == "BODY":
            names = _placeholders(component.get("text"))
            return names if names and not all(n.isdigit() for n in names) else None
    return None


def _parameter_kind(parameter: Any) -> str | None:
    return next((k for k in TEMPLATE_PARAMETER_KINDS if _get(parameter, k) is not None), None)


def _match_header(
    problems: ProblemCollector, counts: Mapping[str, Any], header: Mapping[str, Any] | None
) -> None:
    mismatch = ErrorCode.TEMPLATE_PARAMETER_MISMATCH
    header_format = counts["header_format"]
    given = _parameter_kind(header) if header is not None else None
    if counts["header"] == 0:
        if header is not None:
            reason = "has no header" if header_format is None else "header has no placeholder"
            problems.add(
                f"The template {reason}; remove the header parameter", "header", code=mismatch
            )
        return
    if header_format == "TEXT":
        expected, accepted = "a text", _TEXT_HEADER_PARAMETER_KINDS
    else:
        wanted = header_format.lower()
        expected, accepted = f"{_article(wanted)} {wanted}", frozenset({wanted})
    if header is None:
        problems.add(
            f"The template header is {header_format}; give {expected} header parameter",
            "header",
            code=mismatch,
        )
    elif given not in accepted:
        problems.add(
            f"The template header is {header_format}; give {expected} header "
            f"parameter (got {given})",
            "header",
            code=mismatch,
        )


def _match_body(
    problems: ProblemCollector,
    expected: int,
    names: list[str] | None,
    body: Sequence[Mapping[str, Any]],
) -> None:
    mismatch = ErrorCode.TEMPLATE_PARAMETER_MISMATCH
    if len(body) != expected:
        problems.add(
            f"The template body has {_plural(expected, 'parameter')} (got {len(body)})",
            "body",
            code=mismatch,
        )
    if names is None:
        return
    for index, parameter in enumerate(body):
        name = _get(parameter, "parameterName")
        if name not in names:
            problems.add(
                f"parameterName must be one of the template's placeholders: "
                f"{', '.join(names)} (got {name!r})",
                "body",
                str(index),
                "parameterName",
                code=mismatch,
            )


def _match_buttons(
    problems: ProblemCollector,
    definition: Sequence[Mapping[str, Any]],
    buttons: Sequence[Mapping[str, Any]],
) -> None:
    mismatch = ErrorCode.TEMPLATE_PARAMETER_MISMATCH
    given: set[int] = set()
    for position, button in enumerate(buttons):
        path = ("buttons", str(position))
        index = _get(button, "index")
        if not isinstance(index, int) or not 0 <= index < len(definition):
            problems.add(
                f"The template has no button at index {index!r} "
                f"(it has {_plural(len(definition), 'button')})",
                *path,
                "index",
                code=mismatch,
            )
            continue
        given.add(index)
        _match_button(problems, definition[index], button, path)
    for button in definition:
        if button["dynamic"] and button["index"] not in given:
            problems.add(
                f"Button {button['index']} ({button['type']}) needs a parameter",
                "buttons",
                code=mismatch,
            )


def _match_button(
    problems: ProblemCollector,
    definition: Mapping[str, Any],
    button: Mapping[str, Any],
    path: FieldPath,
) -> None:
    mismatch = ErrorCode.TEMPLATE_PARAMETER_MISMATCH
    index, kind = definition["index"], definition["type"]
    expected = _SUB_TYPE_FOR_BUTTON.get(kind)
    sub_type = _canonical(_get(button, "subType"), TEMPLATE_BUTTON_SUB_TYPES)
    if expected is None:
        problems.add(
            f"Button {index} is a {kind} button and takes no parameter", *path, code=mismatch
        )
    elif sub_type != expected:
        problems.add(
            f"Button {index} is a {kind} button; use subType {expected} "
            f"(got {sub_type or _get(button, 'subType')})",
            *path,
            "subType",
            code=mismatch,
        )
    elif kind == "URL" and not definition["dynamic"]:
        problems.add(
            f"Button {index} has a fixed URL and takes no parameter",
            *path,
            "parameter",
            code=mismatch,
        )


# --- describe() ---------------------------------------------------------------------------------


def _describe_media(spec: Any) -> str:
    return _str(spec, "caption") or _str(spec, "filename")


def _describe_location(spec: Any) -> str:
    if _str(spec, "name") or _str(spec, "address"):
        return _str(spec, "name") or _str(spec, "address")
    latitude, longitude = _get(spec, "latitude"), _get(spec, "longitude")
    return f"{latitude}, {longitude}" if latitude is not None else ""


def _describe_contacts(cards: Any) -> str:
    names = (_str(_get(card, "name"), "formattedName") for card in _list(cards))
    return ", ".join(filter(None, names))


def _with_choices(body: str, choices: Iterable[str]) -> str:
    labels = "|".join(filter(None, choices))
    return f"{body} [{labels}]" if labels else body


def _describe_buttons(spec: Any) -> str:
    titles = (_str(button, "title") for button in _list(_get(spec, "buttons")))
    return _with_choices(_str(spec, "body"), titles)


def _describe_list(spec: Any) -> str:
    rows = (
        row for section in _list(_get(spec, "sections")) for row in _list(_get(section, "rows"))
    )
    return _with_choices(_str(spec, "body"), (_str(row, "title") for row in rows))


_DESCRIBERS: dict[str, Callable[[Any], str]] = {
    "text": lambda spec: _str(spec, "body"),
    **dict.fromkeys(MEDIA_KINDS, _describe_media),
    "location": _describe_location,
    "contacts": _describe_contacts,
    "buttons": _describe_buttons,
    "list": _describe_list,
    "ctaUrl": lambda spec: _with_choices(_str(spec, "body"), (_str(spec, "displayText"),)),
    "flow": lambda spec: _with_choices(_str(spec, "body"), (_str(spec, "flowCta"),)),
}


# --- Validation primitives ----------------------------------------------------------------------


def _text(
    problems: ProblemCollector, value: Any, path: FieldPath, length: Length, *, required: bool
) -> Any:
    """Check one string against its limit; returns it as given so building can go on."""
    if value is None:
        if required:
            problems.add(f"{length.label} is required", *path)
        return None
    if not isinstance(value, str):
        problems.add(f"{length.label} must be a string", *path)
        return value
    size, limit = len(value), length.max
    if required and limit is not None and not 1 <= size <= limit:
        problems.add(f"{length.label} must be 1-{limit} characters (got {size})", *path)
    elif limit is not None and size > limit:
        problems.add(f"{length.label} must be at most {limit} characters (got {size})", *path)
    elif required and not value.strip():
        problems.add(f"{length.label} must not be {'blank' if value else 'empty'}", *path)
    return value


def _required(
    problems: ProblemCollector, spec: Mapping[str, Any], key: str, path: FieldPath, length: Length
) -> Any:
    return _text(problems, spec.get(key), (*path, key), length, required=True)


def _optional(
    problems: ProblemCollector,
    spec: Mapping[str, Any],
    key: str,
    path: FieldPath,
    length: Length | None = None,
) -> Any:
    """An optional string; "" counts as absent, so it is omitted rather than sent empty."""
    value = spec.get(key)
    if value is None or value == "":
        return None
    return _text(problems, value, (*path, key), length or Length(key), required=False)


def _flag(
    problems: ProblemCollector, spec: Mapping[str, Any], key: str, path: FieldPath
) -> bool | None:
    value = spec.get(key)
    if value is not None and not isinstance(value, bool):
        problems.add(f"{key} must be true or false", *path, key)
    return value


def _choice(
    problems: ProblemCollector,
    spec: Mapping[str, Any],
    key: str,
    path: FieldPath,
    allowed: frozenset[str],
    label: str,
) -> str | None:
    """An enumerated value in either case (and GraphQL enum members), in `allowed`'s spelling."""
    value = spec.get(key)
    if value is None or value == "":
        return None
    canonical = _canonical(value, allowed)
    if canonical is None:
        problems.add(
            f"{label} must be one of {', '.join(sorted(allowed))} (got {value!r})", *path, key
        )
    return canonical


def _canonical(value: Any, allowed: frozenset[str]) -> str | None:
    if isinstance(value, Enum):
        value = value.value
    if not isinstance(value, str):
        return None
    for spelling in (value, value.lower(), value.upper()):
        if spelling in allowed:
            return spelling
    return None


def _one_of(
    problems: ProblemCollector,
    spec: Any,
    keys: Sequence[str],
    path: FieldPath,
    what: str,
    *,
    among_all: bool = True,
    extra: Iterable[str] = (),
) -> str | None:
    """The single key of a one-of object (`among_all`: any other set key is an error too)."""
    if not isinstance(spec, Mapping):
        problems.add(f"The {what} must be an object", *path)
        return None
    candidates = spec if among_all else keys
    present = [key for key in candidates if key not in extra and spec.get(key) is not None]
    if len(present) == 1 and present[0] in keys:
        return present[0]
    unknown = [key for key in present if key not in keys]
    if unknown:
        problems.add(
            f"Unknown {what} field {unknown[0]!r}; give one of {', '.join(keys)}", *path, unknown[0]
        )
    else:
        problems.add(
            f"Give exactly one of {', '.join(keys)} for the {what} "
            f"(got {', '.join(present) or 'none'})",
            *path,
        )
    return None


def _object(
    problems: ProblemCollector, value: Any, path: FieldPath, label: str
) -> Mapping[str, Any] | None:
    if value is None:
        problems.add(f"{label[:1].upper()}{label[1:]} is required", *path)
        return None
    if not isinstance(value, Mapping):
        problems.add(f"{label[:1].upper()}{label[1:]} must be an object", *path)
        return None
    return value


def _items(
    problems: ProblemCollector, value: Any, path: FieldPath, count: Count | None = None
) -> list[tuple[Any, FieldPath]]:
    """A list's items paired with their field paths, its length checked against `count`."""
    if value is None:
        value = []
    if not isinstance(value, list | tuple):
        problems.add(f"{path[-1]} must be a list", *path)
        return []
    if count is not None:
        _check_count(problems, len(value), path, count)
    return [(item, (*path, str(index))) for index, item in enumerate(value)]


def _check_count(problems: ProblemCollector, size: int, path: FieldPath, count: Count) -> None:
    if size < count.min or (count.max is not None and size > count.max):
        bounds = f"{count.min}-{count.max}" if count.max is not None else f"at least {count.min}"
        problems.add(f"Give {bounds} {count.noun} (got {size})", *path)


def _check_unique(
    problems: ProblemCollector, seen: set[str], value: Any, path: FieldPath, label: str
) -> None:
    if not isinstance(value, str) or not value:
        return
    if value in seen:
        problems.add(f"{label} {value!r} is used more than once; each must be unique", *path)
    seen.add(value)


def _check_pattern(
    problems: ProblemCollector, value: Any, pattern: re.Pattern[str], path: FieldPath, message: str
) -> None:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        problems.add(f"{message} (got {value!r})", *path)


def _forbid(
    problems: ProblemCollector, spec: Mapping[str, Any], key: str, path: FieldPath, message: str
) -> None:
    if spec.get(key) not in (None, ""):
        problems.add(message, *path, key)


def _renamed(spec: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    """The set fields of `spec` under their Graph API names; absent and empty ones left out."""
    return {graph: spec[ours] for ours, graph in names.items() if spec.get(ours) not in (None, "")}


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    """Set an optional Graph field: Meta gets no nulls, only what was given."""
    if value is not None:
        target[key] = value


def _get(spec: Any, key: str) -> Any:
    return spec.get(key) if isinstance(spec, Mapping) else None


def _list(value: Any) -> list[Any] | tuple[Any, ...]:
    return value if isinstance(value, list | tuple) else ()


def _str(spec: Any, key: str) -> str:
    value = _get(spec, key)
    return value if isinstance(value, str) else ""


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"
