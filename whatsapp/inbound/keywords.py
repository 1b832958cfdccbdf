"""STOP and START: a customer's whole message, as a keyword, sets their marketing consent.

The words come from settings (`WAGRAPH_CONSENT_STOP_KEYWORDS`, `…_START_KEYWORDS`), wired in
when a process is composed (`app.runtime`), like the event subscriptions; they match the whole
trimmed text, in any case ("stop", " Stop "), never a word inside a sentence. Nothing is
answered: an automation on `contact.opted_out` can reply if the business wants to.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models import ConsentState, WhatsAppMessage
from whatsapp.conversations.consent import KEYWORD, record_consent

DEFAULT_STOP = ("STOP", "UNSUBSCRIBE")
DEFAULT_START = ("START", "UNSTOP")


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


@dataclass(frozen=True, slots=True)
class ConsentKeywords:
    stop: frozenset[str]
    start: frozenset[str]

    @classmethod
    def of(cls, stop: Iterable[str], start: Iterable[str]) -> ConsentKeywords:
        return cls(
            stop=frozenset(_normal(word) for word in stop if word.strip()),
            start=frozenset(_normal(word) for word in start if word.strip()),
        )

    def state_for(self, text: str) -> ConsentState | None:
        said = _normal(text)
        if said in self.stop:
            return ConsentState.OPTED_OUT
        if said in self.start:
            return ConsentState.OPTED_IN
        return None


_keywords = ConsentKeywords.of(DEFAULT_STOP, DEFAULT_START)


def use_keywords(keywords: ConsentKeywords) -> None:
    """The keywords this process recognises (set once, when the process is composed)."""
    global _keywords
    _keywords = keywords


def keywords() -> ConsentKeywords:
    return _keywords


async def apply_consent_keywords(
    item: Mapping[str, Any], message: WhatsAppMessage, conn: BaseDBAsyncClient
) -> None:
    """In the message's own transaction, so a redelivered STOP records nothing twice."""
    body = (item.get("text") or {}).get("body") if item.get("type") == "text" else None
    if not isinstance(body, str) or message.contact_id is None or message.received_at is None:
        return
    state = _keywords.state_for(body)
    if state is None:
        return
    await record_consent(
        message.contact_id,
        state,
        source=KEYWORD,
        occurred_at=message.received_at,
        conn=conn,
        detail=body.strip(),
        message_id=message.id,
    )
