"""Customer-service windows: who may receive free-form messages right now.

A window opens when a customer writes to a business number and lasts `window_hours` from that
message (§4.4). Seeded demo customers (`open_window_for`) have a window that never closes, so a
long-running demo keeps working.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Window:
    opened_at: float
    via_referral: bool  # opened by a Click-to-WhatsApp ad reply: a free entry point


class ServiceWindows:
    """Last inbound time per (phone-number id, wa_id)."""

    def __init__(self, always_open: tuple[str, ...] = ()) -> None:
        self._always_open = frozenset(always_open)
        self._windows: dict[tuple[str, str], Window] = {}

    def reset(self, always_open: tuple[str, ...]) -> None:
        self._always_open = frozenset(always_open)
        self._windows.clear()

    def touch(self, pnid: str, wa_id: str, now: float, *, via_referral: bool = False) -> None:
        """Record an inbound message: it (re)opens the window from its timestamp."""
        self._windows[(pnid, wa_id)] = Window(now, via_referral)

    def rekey(self, old_wa_id: str, new_wa_id: str) -> None:
        """A customer changed number: their windows (every business number) follow them."""
        for key in [k for k in self._windows if k[1] == old_wa_id]:
            self._windows[(key[0], new_wa_id)] = self._windows.pop(key)

    def current(self, pnid: str, wa_id: str, now: float, window_hours: float) -> Window | None:
        """The open window for this chat, or None when free-form messages would fail (131047)."""
        window = self._windows.get((pnid, wa_id))
        if window is not None and now - window.opened_at < window_hours * 3600.0:
            return window
        if wa_id in self._always_open:
            return Window(now, False)
        return None

    def snapshot(self) -> dict[str, dict[str, float]]:
        """Last inbound time per chat, for the stats endpoint."""
        out: dict[str, dict[str, float]] = {}
        for (pnid, wa_id), window in self._windows.items():
            out.setdefault(pnid, {})[wa_id] = window.opened_at
        return out
