"""Meta's times in a webhook item, checked before the item is applied.

A signed webhook is trusted for what it says happened, not for when: a `timestamp` of year
9999 would be stored, keep the customer's 24-hour window open for ever and break every read
that does arithmetic on it. So every time an item carries is checked against a sane window
first, and an item with an implausible one is refused whole (`ImplausibleTime`, a ValueError:
the dispatcher sets it aside as a dead letter with the reason).

Two kinds of time are read:
- `timestamp` — when the item happened: not before WhatsApp existed (2009) and not more than
  a day ahead of our clock (clocks drift; Meta's never runs a day fast);
- any other `…_timestamp` or `…_time` key (expirations, a template's category change, a
  call's start and end, a tier update): it may lie ahead, but not beyond ten years, and not
  before 1970.

A value that is not a number is left to the handler, which knows whether it needs it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from whatsapp.kit.clock import utcnow

EARLIEST_EVENT = datetime(2009, 1, 1, tzinfo=UTC)
"""No WhatsApp message happened before WhatsApp existed."""
EVENT_AHEAD = timedelta(days=1)
"""How far ahead of our clock a `timestamp` may be."""
SCHEDULED_AHEAD = timedelta(days=3653)
"""How far ahead an expiration or a scheduled change may be."""
_EPOCH = 0
# Nesting walked: Meta's items are shallow; bodies are bounded at the door in any case.
_MAX_DEPTH = 32


class ImplausibleTime(ValueError):
    """An item carries a time outside the window Meta's times can fall in."""


def check_item(body: Any) -> None:
    """Raise ImplausibleTime for the first implausible time anywhere in the item."""
    now = utcnow()
    for path, key, value in _times(body, "", 0):
        seconds = _seconds(value)
        if seconds is None:
            continue
        if key == "timestamp":
            low, high = int(EARLIEST_EVENT.timestamp()), int((now + EVENT_AHEAD).timestamp())
        else:
            low, high = _EPOCH, int((now + SCHEDULED_AHEAD).timestamp())
        if not low <= seconds <= high:
            raise ImplausibleTime(
                f"{path} is {_describe(seconds)}, outside {_iso(low)} .. {_iso(high)}"
            )


def _times(node: Any, path: str, depth: int) -> Iterator[tuple[str, str, Any]]:
    """(path, key, value) of every time-named key, at any depth up to _MAX_DEPTH."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(node, Mapping):
        for key, value in node.items():
            here = f"{path}.{key}" if path else str(key)
            if _is_time_key(key) and not isinstance(value, Mapping | list):
                yield here, key, value
            else:
                yield from _times(value, here, depth + 1)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _times(value, f"{path}[{index}]", depth + 1)


def _is_time_key(key: Any) -> bool:
    return isinstance(key, str) and (
        key == "timestamp" or key.endswith("_timestamp") or key.endswith("_time")
    )


def _seconds(value: Any) -> int | None:
    """Unix seconds the way the handlers read them (`int(value)`), or None when the value
    is not a number at all (the handler decides)."""
    if isinstance(value, bool | int):
        return int(value)
    if isinstance(value, float):
        return int(value) if value == value and abs(value) != float("inf") else None
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return None


def _describe(seconds: int) -> str:
    try:
        return f"{seconds} ({_iso(seconds)})"
    except (OverflowError, OSError, ValueError):
        return f"{seconds}"[:40] + " (no date)"


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat()
