"""Meta's two synchronous send limits: per-number throughput and per-recipient pair rate.

Both are O(1) amortised per send: the throughput window is a deque of the last second's accept
times, the pair limit a token bucket per (phone-number id, wa_id).
"""

from __future__ import annotations

from collections import deque


class ThroughputLimiter:
    """Sliding one-second window per phone-number id, plus the peak rate it ever admitted.

    The peak is the largest number of accepted sends inside any one-second window: a window with
    the most events can always be slid until it ends on an event, so checking after every
    accepted send sees it.
    """

    def __init__(self) -> None:
        self._events: dict[str, deque[float]] = {}
        self._peaks: dict[str, int] = {}

    def admits(self, key: str, now: float, limit: int) -> bool:
        """Whether one more send fits in the window ending now (limit 0 = unlimited)."""
        events = self._events.get(key)
        if events is None:
            return True
        cutoff = now - 1.0
        while events and events[0] <= cutoff:
            events.popleft()
        return limit <= 0 or len(events) < limit

    def record(self, key: str, now: float) -> None:
        events = self._events.get(key)
        if events is None:
            events = self._events[key] = deque()
        cutoff = now - 1.0
        while events and events[0] <= cutoff:
            events.popleft()
        events.append(now)
        if len(events) > self._peaks.get(key, 0):
            self._peaks[key] = len(events)

    def peak(self, key: str) -> int:
        return self._peaks.get(key, 0)

    def clear(self) -> None:
        self._events.clear()
        self._peaks.clear()


class PairLimiter:
    """Token bucket per (phone-number id, recipient): `burst` tokens, one back every interval."""

    def __init__(self) -> None:
        self._buckets: dict[tuple[str, str], list[float]] = {}

    def admits(self, key: tuple[str, str], now: float, burst: int, interval_s: float) -> bool:
        if burst <= 0:
            return True
        return self._tokens(key, now, burst, interval_s) >= 1.0

    def take(self, key: tuple[str, str], now: float, burst: int, interval_s: float) -> None:
        if burst <= 0:
            return
        tokens = self._tokens(key, now, burst, interval_s)
        self._buckets[key] = [tokens - 1.0, now]

    def _tokens(self, key: tuple[str, str], now: float, burst: int, interval_s: float) -> float:
        bucket = self._buckets.get(key)
        if bucket is None:
            return float(burst)
        tokens, last = bucket
        return min(float(burst), tokens + max(0.0, now - last) / interval_s)

    def clear(self) -> None:
        self._buckets.clear()
