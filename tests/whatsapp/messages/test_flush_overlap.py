"""flush_scheduled_messages overlaps its passes: the next batch is claimed once every message of
the current one is underway, not after its last answer; the passes share one gate of sends in
flight; and a pass that claimed nothing, gave messages back or failed ends the flush.

The passes here are stand-ins for `process_scheduled_messages` that the test holds and
releases, so the order of events is certain (the real passes are exercised, racing and with
Meta, in test_scheduling.py and the operations tests)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from whatsapp.messages import flush
from whatsapp.messages.scheduling import FlushResult


class Passes:
    """Each call is one pass: it claims the next count of `claims`, says it is underway (at
    once, or when the test sets its `sends_out`), and returns when the test releases it."""

    def __init__(self, claims: list[int], *, released: int = 0) -> None:
        self.claims = claims
        self.started: list[int] = []
        self.gates: list[asyncio.Semaphore] = []
        self.release = [asyncio.Event() for _ in claims]
        self.sends_out = [asyncio.Event() for _ in claims]
        for event in self.sends_out:
            event.set()
        self.released = released

    async def __call__(self, rt: Any, **options: Any) -> FlushResult:
        number = len(self.started)
        self.started.append(number)
        self.gates.append(options["gate"])
        claimed = self.claims[number]
        await self.sends_out[number].wait()
        options["underway"].set()
        if claimed:
            await self.release[number].wait()
        sent = claimed - (self.released if number == 0 else 0)
        return FlushResult(claimed=claimed, sent=sent, released=claimed - sent)


async def until(condition: Any) -> None:
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the flush never got there")


async def test_the_next_pass_claims_while_the_last_sends_are_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given: three passes' worth of due messages, then none
    passes = Passes([4, 4, 0])
    monkeypatch.setattr(flush, "process_scheduled_messages", passes)

    # when
    flushing = asyncio.create_task(flush.flush_scheduled_messages(object(), concurrency=8))  # type: ignore[arg-type]

    # then: the second pass starts while the first still waits for Meta
    await until(lambda: len(passes.started) == 2)
    assert not flushing.done()
    # the third (which finds nothing) only once the second is underway, and the flush
    # returns once both held passes have answered
    await until(lambda: len(passes.started) == 3)
    passes.release[1].set()
    passes.release[0].set()
    total = await flushing
    assert (total.claimed, total.sent) == (8, 8)
    assert passes.gates[0] is passes.gates[1] is passes.gates[2]  # one bound on sends in flight


async def test_a_pass_that_gave_messages_back_starts_no_more(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given: the first pass will give one message back (a stop, a failed limiter), and the
    # second is still claiming when it does
    passes = Passes([4, 4, 4], released=1)
    passes.sends_out[1].clear()
    passes.release[2].set()  # a third pass, if one were started, would not be held
    monkeypatch.setattr(flush, "process_scheduled_messages", passes)
    flushing = asyncio.create_task(flush.flush_scheduled_messages(object()))  # type: ignore[arg-type]
    await until(lambda: len(passes.started) == 2)

    # when: the first ends, then the second gets its sends out and ends
    passes.release[0].set()
    for _ in range(10):
        await asyncio.sleep(0)  # the flush takes in the first pass's result
    passes.sends_out[1].set()
    passes.release[1].set()
    total = await flushing

    # then: no third pass was started after the first gave messages back
    assert len(passes.started) == 2
    assert (total.claimed, total.released) == (8, 1)


async def test_a_stop_starts_no_new_pass_and_lets_running_ones_finish(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    passes = Passes([4, 4, 4])
    monkeypatch.setattr(flush, "process_scheduled_messages", passes)
    stop = asyncio.Event()
    flushing = asyncio.create_task(flush.flush_scheduled_messages(object(), stop=stop))  # type: ignore[arg-type]
    await until(lambda: len(passes.started) == 2)

    stop.set()
    passes.release[0].set()
    passes.release[1].set()
    total = await flushing

    assert len(passes.started) == 2
    assert total.claimed == 8


async def test_a_failing_pass_fails_the_flush_and_cancels_the_other(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given: a held first pass, and a second that fails (the database went away)
    held = asyncio.Event()
    cancelled: list[bool] = []

    async def one_pass(rt: Any, **options: Any) -> FlushResult:
        if not held.is_set():
            held.set()
            options["underway"].set()
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                cancelled.append(True)
                raise
        raise ConnectionError("the database went away")

    monkeypatch.setattr(flush, "process_scheduled_messages", one_pass)

    # then: the error reaches the caller, and the held pass is not left running
    with pytest.raises(ConnectionError):
        await flush.flush_scheduled_messages(object())  # type: ignore[arg-type]
    assert cancelled == [True]


async def test_progress_sums_the_passes_in_flight(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []

    async def one_pass(rt: Any, **options: Any) -> FlushResult:
        options["underway"].set()
        result = FlushResult(claimed=2 if options["progress"] else 0)
        for _ in range(result.claimed):
            result.sent += 1
            options["progress"](result)
            await asyncio.sleep(0)
        return result

    calls = iter([True, True, False])

    async def passes(rt: Any, **options: Any) -> FlushResult:
        if not next(calls):
            options = {**options, "progress": None}
        return await one_pass(rt, **options)

    monkeypatch.setattr(flush, "process_scheduled_messages", passes)
    total = await flush.flush_scheduled_messages(object(), progress=lambda r: seen.append(r.sent))  # type: ignore[arg-type]

    assert total.sent == 4
    assert seen == sorted(seen) and seen[-1] == 4
