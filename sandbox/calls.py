"""Calls (Calling API, §11.8): the calls the sandbox has seen, for later status and terminate.

A user-initiated call starts with `connect` and ends with `terminate`; a business-initiated
call goes RINGING -> ACCEPTED (then `connect`) or REJECTED, then `terminate`. The webhooks are
built in `call_events`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.customers import Customer

USER_INITIATED = "USER_INITIATED"
BUSINESS_INITIATED = "BUSINESS_INITIATED"
DIRECTIONS = (USER_INITIATED, BUSINESS_INITIATED)
CALL_STATUSES = ("RINGING", "ACCEPTED", "REJECTED")
END_STATUSES = ("COMPLETED", "FAILED")


class CallError(ValueError):
    """A call control request that does not fit the call's state (400)."""


@dataclass(slots=True)
class Call:
    id: str
    phone_number_id: str
    customer: Customer
    direction: str
    created_at: float
    connected_at: float | None = None  # the media session started (connect / ACCEPTED)
    status: str = "RINGING"  # RINGING, ACCEPTED, REJECTED, ONGOING, then COMPLETED or FAILED
    callback_data: str | None = None

    @property
    def ended(self) -> bool:
        return self.status in (*END_STATUSES, "REJECTED")

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "phone_number_id": self.phone_number_id,
            "customer": self.customer.user_id,
            "direction": self.direction,
            "status": self.status,
            "created_at": self.created_at,
            "connected_at": self.connected_at,
        }


class CallRegistry:
    def __init__(self) -> None:
        self._calls: dict[str, Call] = {}

    def clear(self) -> None:
        self._calls.clear()

    def add(self, call: Call) -> Call:
        self._calls[call.id] = call
        return call

    def get(self, call_id: str) -> Call | None:
        return self._calls.get(call_id)

    def all(self) -> list[Call]:
        return list(self._calls.values())
