"""A send whose pacing slot passed while its task could not run (a busy event loop, a process
not scheduled) takes a fresh slot instead of going out with every other late one at once:
such a bunch is what Meta counts in its one-second windows and refuses.

The clock is the test's (`ratelimit.time.monotonic`), so lateness is exact, not raced."""

from __future__ import annotations

import pytest

from whatsapp.cloud import ratelimit
from whatsapp.cloud.ratelimit import LATE_S, RETAKES, InProcessLimiter, on_time


class Clock:
    """A monotonic clock that a sleeper finds `late_by` seconds later than it asked for."""

    def __init__(self, late_by: list[float]) -> None:
        self.now = 100.0
        self.late_by = late_by

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds + (self.late_by.pop(0) if self.late_by else 0.0)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock([])
    monkeypatch.setattr(ratelimit.time, "monotonic", clock.monotonic)
    monkeypatch.setattr(ratelimit.asyncio, "sleep", clock.sleep)
    return clock


async def test_a_send_woken_on_time_keeps_its_slot(clock: Clock) -> None:
    limiter = InProcessLimiter(100)
    limiter.reserve("pn")  # someone before us: our slot is an interval away
    taken = []

    async def reserve() -> float:
        taken.append(clock.now)
        return limiter.reserve("pn")

    await on_time(reserve)

    assert len(taken) == 1


async def test_a_late_send_takes_a_new_slot_behind_the_others(clock: Clock) -> None:
    # given: our slot is next, and the loop will be busy well past it
    limiter = InProcessLimiter(100)
    limiter.reserve("pn")
    clock.late_by = [LATE_S * 5]
    slots: list[float] = []

    def reserve() -> float:
        wait = limiter.reserve("pn")
        slots.append(clock.now + wait)
        return wait

    # when
    await on_time(reserve)

    # then: the missed slot was given up and a later one taken, and kept
    assert len(slots) == 2
    assert slots[1] > slots[0] + LATE_S


async def test_a_loop_that_is_always_late_still_sends(clock: Clock) -> None:
    limiter = InProcessLimiter(100)
    clock.late_by = [1.0] * 10
    tries = 0

    def reserve() -> float:
        nonlocal tries
        tries += 1
        return limiter.reserve("pn") + 0.01

    await on_time(reserve)

    assert tries == RETAKES + 1
