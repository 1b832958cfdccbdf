"""The one-line preview a dashboard shows for any content; it never raises."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from whatsapp.messages.payloads.content import MEDIA_KINDS, MESSAGE_KINDS
from whatsapp.messages.payloads.rules import as_list, as_str, get

DESCRIBE_MAX = 200


def describe(content: Mapping[str, Any]) -> str:
    """A one-line preview for dashboards ("buttons: Confirm? [Morning|Afternoon]"); never raises."""
    kind = next((k for k in MESSAGE_KINDS if get(content, k) is not None), None)
    if kind is None:
        return ""
    summary = " ".join(_DESCRIBERS[kind](content[kind]).split())
    text = f"{kind}: {summary}" if summary else kind
    return text if len(text) <= DESCRIBE_MAX else text[: DESCRIBE_MAX - 1] + "…"


def _describe_media(spec: Any) -> str:
    return as_str(spec, "caption") or as_str(spec, "filename")


def _describe_location(spec: Any) -> str:
    if as_str(spec, "name") or as_str(spec, "address"):
        return as_str(spec, "name") or as_str(spec, "address")
    latitude, longitude = get(spec, "latitude"), get(spec, "longitude")
    return f"{latitude}, {longitude}" if latitude is not None else ""


def _describe_contacts(cards: Any) -> str:
    names = (as_str(get(card, "name"), "formattedName") for card in as_list(cards))
    return ", ".join(filter(None, names))


def _with_choices(body: str, choices: Iterable[str]) -> str:
    labels = "|".join(filter(None, choices))
    return f"{body} [{labels}]" if labels else body


def _describe_buttons(spec: Any) -> str:
    titles = (as_str(button, "title") for button in as_list(get(spec, "buttons")))
    return _with_choices(as_str(spec, "body"), titles)


def _describe_list(spec: Any) -> str:
    rows = (
        row for section in as_list(get(spec, "sections")) for row in as_list(get(section, "rows"))
    )
    return _with_choices(as_str(spec, "body"), (as_str(row, "title") for row in rows))


_DESCRIBERS: dict[str, Callable[[Any], str]] = {
    "text": lambda spec: as_str(spec, "body"),
    **dict.fromkeys(MEDIA_KINDS, _describe_media),
    "location": _describe_location,
    "contacts": _describe_contacts,
    "buttons": _describe_buttons,
    "list": _describe_list,
    "ctaUrl": lambda spec: _with_choices(as_str(spec, "body"), (as_str(spec, "displayText"),)),
    "flow": lambda spec: _with_choices(as_str(spec, "body"), (as_str(spec, "flowCta"),)),
}
