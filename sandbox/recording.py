"""What the sandbox remembers about traffic: accepted requests and counters for assertions.

Later tests assert "every message was sent exactly once" (`sends_per_callback_data`, keyed by
the `biz_opaque_callback_data` wagraph puts its own message id in) and "the rate limit was never
exceeded" (`peak_mps` per phone number). Counters are updated in O(1) per request.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

RECORDED_HEADERS = frozenset({"content-type", "user-agent", "idempotency-key", "x-request-id"})
ERROR_LOG_SIZE = 200


@dataclass(slots=True)
class RecordedRequest:
    """One accepted (2xx) Graph request, as the sandbox saw and answered it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: Any
    form: dict[str, Any] | None
    status: int
    response: Any
    time: datetime = field(default_factory=lambda: datetime.now(UTC))
    # Sends only: `{endpoint, to, recipient, wa_id, user_id, type, template, category, wamid}`,
    # so tests can tell `/messages` from `/marketing_messages` and see who a BSUID resolved to.
    message: dict[str, Any] | None = None

    def public(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": self.headers,
            "json": self.json,
            "form": self.form,
            "status": self.status,
            "response": self.response,
            "time": self.time.isoformat(),
            "message": self.message,
        }


@dataclass(slots=True)
class PhoneStats:
    accepted: int = 0
    rate_limited: int = 0
    pair_limited: int = 0


class Stats:
    """Counters behind `GET /_sandbox/stats`."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.accepted = 0
        self.rejected = 0
        self.faulted = 0
        self.messages_accepted = 0
        self.failed_later = 0
        self.errors_by_code: Counter[int] = Counter()
        self.messages_by_type: Counter[str] = Counter()
        self.per_phone: dict[str, PhoneStats] = {}
        self.sends_per_recipient: Counter[str] = Counter()
        self.sends_per_callback_data: Counter[str] = Counter()
        self.recent_errors: deque[dict[str, Any]] = deque(maxlen=ERROR_LOG_SIZE)

    def phone(self, pnid: str) -> PhoneStats:
        stats = self.per_phone.get(pnid)
        if stats is None:
            stats = self.per_phone[pnid] = PhoneStats()
        return stats

    def message_accepted(self, pnid: str, wa_id: str, msg_type: str, callback: str | None) -> None:
        self.messages_accepted += 1
        self.messages_by_type[msg_type] += 1
        self.phone(pnid).accepted += 1
        self.sends_per_recipient[wa_id] += 1
        if callback is not None:
            self.sends_per_callback_data[callback] += 1

    def error(self, method: str, path: str, status: int, code: int, details: str | None) -> None:
        self.rejected += 1
        self.errors_by_code[code] += 1
        self.recent_errors.append(
            {
                "method": method,
                "path": path,
                "status": status,
                "code": code,
                "details": details,
                "time": datetime.now(UTC).isoformat(),
            }
        )
