"""Our content JSON -> Meta's Graph API message JSON, validated the way Meta would validate it.

Pure functions on the send hot path: no I/O, no GraphQL. Every builder checks the whole input
and raises one `WagraphError` listing every problem, each with a `field` path into the GraphQL
input (camelCase keys, list indexes as strings), so a client can fix everything in one round
and Meta is never called with a payload it would reject. Callers use this module's functions;
its siblings hold the rules (`rules`), the content kinds (`content`, `interactive`), template
components (`template`) and the dashboard preview (`describe`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from whatsapp.kit.errors import FieldPath, ProblemCollector, WagraphError
from whatsapp.kit.recipients import parse_recipient
from whatsapp.messages.payloads.content import (
    MEDIA_KINDS,
    MESSAGE_KINDS,
    MESSAGE_TYPES,
    Builder,
    contact_cards,
    location_message,
    media_message,
    text_message,
)
from whatsapp.messages.payloads.describe import DESCRIBE_MAX, describe
from whatsapp.messages.payloads.interactive import (
    buttons_message,
    cta_url_message,
    flow_message,
    list_message,
)
from whatsapp.messages.payloads.rules import CALLBACK_DATA, ONE_EMOJI, as_object, check_text, one_of
from whatsapp.messages.payloads.template import template_object, template_parameters

__all__ = [
    "DESCRIBE_MAX",
    "GROUP_KINDS",
    "MESSAGE_KINDS",
    "build_mark_as_read",
    "build_message",
    "build_reaction",
    "build_template",
    "check_group_kind",
    "content_kind",
    "describe",
    "message_type",
]

MESSAGING_PRODUCT = "whatsapp"
# Free-form kinds Meta delivers to a group (plus templates): text and media.
GROUP_KINDS: tuple[str, ...] = ("text", *MEDIA_KINDS)


def content_kind(content: Mapping[str, Any]) -> str:
    """The content's single kind (`text`, `buttons`, …); INVALID_INPUT on `content` otherwise."""
    problems = ProblemCollector()
    kind = one_of(problems, content, MESSAGE_KINDS, ("content",), "content")
    problems.raise_if_any()
    assert kind is not None  # one_of reports a problem whenever it finds no kind
    return kind


def message_type(kind: str) -> str:
    """The Graph API `type` for a content kind: interactive kinds share `interactive`."""
    try:
        return MESSAGE_TYPES[kind]
    except KeyError:
        raise ValueError(f"unknown message kind {kind!r}") from None


def build_message(
    *,
    to: str,
    content: Mapping[str, Any],
    reply_to_wamid: str | None = None,
    callback_data: str | None = None,
    group: bool = False,
) -> dict[str, Any]:
    """The full `POST /{PNID}/messages` body for a free-form message; with `group`, `to` is
    a group's id (Meta's) and only the kinds Meta allows in groups are accepted."""
    problems = ProblemCollector()
    envelope = _envelope(
        problems, to, "", reply_to_wamid=reply_to_wamid, callback_data=callback_data, group=group
    )
    kind = one_of(problems, content, MESSAGE_KINDS, ("content",), "content")
    if group and kind is not None:
        check_group_kind(problems, kind)
    payload = _content_payload(problems, kind, content[kind]) if kind else None
    problems.raise_if_any()
    assert kind is not None  # one_of reports a problem whenever it finds no kind
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
    named_header: Mapping[str, Any] | None = None,
    named_body: Sequence[Mapping[str, Any]] | None = None,
    reply_to_wamid: str | None = None,
    callback_data: str | None = None,
    group: bool = False,
) -> dict[str, Any]:
    """The `POST /{PNID}/messages` body for a template message, parameters checked one by one.

    Parameters come in order (`header`, `body`) or by name (`named_header`, `named_body`:
    `{name, parameter}`), not both. Whether they fit the template's definition is
    `whatsapp.templates.parameters`' job. The Marketing Messages API takes the same body.
    """
    problems = ProblemCollector()
    envelope = _envelope(
        problems,
        to,
        "template",
        reply_to_wamid=reply_to_wamid,
        callback_data=callback_data,
        group=group,
    )
    parameters = template_parameters(
        problems,
        header=header,
        body=body or (),
        buttons=buttons or (),
        named_header=named_header,
        named_body=named_body,
    )
    template = template_object(problems, name, language, parameters)
    problems.raise_if_any()
    envelope["template"] = template
    return envelope


def build_reaction(*, to: str, message_wamid: str, emoji: str) -> dict[str, Any]:
    """A reaction to `message_wamid`; `emoji=""` removes ours."""
    problems = ProblemCollector()
    envelope = _envelope(problems, to, "reaction")
    _check_wamid(problems, message_wamid, ("messageId",), "Message id")
    if not isinstance(emoji, str):
        problems.add("Emoji must be a string", "emoji")
    elif emoji and not ONE_EMOJI.fullmatch(emoji):
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


def _envelope(
    problems: ProblemCollector,
    to: str,
    graph_type: str,
    *,
    reply_to_wamid: str | None = None,
    callback_data: str | None = None,
    group: bool = False,
) -> dict[str, Any]:
    envelope: dict[str, Any] = {
        "messaging_product": MESSAGING_PRODUCT,
        "recipient_type": "group" if group else "individual",
        **(_group_recipient(problems, to) if group else _recipient(problems, to)),
        "type": graph_type,
    }
    if reply_to_wamid is not None:
        _check_wamid(problems, reply_to_wamid, ("replyTo",), "Reply-to message id")
        envelope["context"] = {"message_id": reply_to_wamid}
    if callback_data is not None and callback_data != "":
        check_text(problems, callback_data, ("callbackData",), CALLBACK_DATA, required=True)
        envelope["biz_opaque_callback_data"] = callback_data
    return envelope


def _recipient(problems: ProblemCollector, to: str) -> dict[str, str]:
    """`to` for a phone number, `recipient` for a business-scoped user id (one of the two)."""
    try:
        recipient = parse_recipient(to)
    except WagraphError as error:
        problems.problems.extend(error.problems)
        return {"to": ""}
    return {recipient.field: recipient.address}


def _group_recipient(problems: ProblemCollector, group_id: str) -> dict[str, str]:
    """A group's Meta id goes in `to`, as it is (a long opaque string)."""
    if not isinstance(group_id, str) or not group_id.strip():
        problems.add("A group id is required", "to")
        return {"to": ""}
    return {"to": group_id.strip()}


def check_group_kind(problems: ProblemCollector, kind: str) -> None:
    """Meta takes text, media and templates in groups; interactive messages, locations and
    contact cards it refuses."""
    if kind not in GROUP_KINDS:
        allowed = ", ".join(GROUP_KINDS)
        problems.add(
            f"{kind} messages cannot be sent to a group: Meta accepts only {allowed} and "
            "templates in groups (no interactive messages)",
            "content",
            kind,
        )


def _check_wamid(problems: ProblemCollector, wamid: object, path: FieldPath, label: str) -> None:
    if not isinstance(wamid, str) or not wamid.strip():
        problems.add(f"{label} is required", *path)


def _content_payload(problems: ProblemCollector, kind: str, spec: Any) -> Any:
    path = ("content", kind)
    if kind == "contacts":
        return contact_cards(problems, spec, path)
    spec = as_object(problems, spec, path, kind)
    return _BUILDERS[kind](problems, spec, path) if spec is not None else None


_BUILDERS: dict[str, Builder] = {
    "text": text_message,
    **{kind: media_message(kind) for kind in MEDIA_KINDS},
    "location": location_message,
    "buttons": buttons_message,
    "list": list_message,
    "ctaUrl": cta_url_message,
    "flow": flow_message,
}
