"""After-commit publishing and bounded subscriptions, on the real database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence

import pytest
from tortoise.transactions import in_transaction

from models import WhatsAppAnalyticsEvent
from whatsapp.events.log import emit_event, emit_events
from whatsapp.live import publisher
from whatsapp.live.filters import LiveItem
from whatsapp.live.hub import Hub


@pytest.fixture
def published() -> Iterator[list[str]]:
    ids: list[str] = []

    def sink(batch: Sequence[str]) -> None:
        ids.extend(batch)

    publisher.add_sink(sink)
    yield ids
    publisher.remove_sink(sink)


async def test_ids_are_published_only_after_the_transaction_commits(
    db: str, published: list[str]
) -> None:
    async with in_transaction() as conn:
        event = await emit_event("test.committed", source="api", using_db=conn)
        assert published == []  # still inside the writer's transaction
    assert published == [str(event.id)]


async def test_an_event_an_automation_caused_is_published_too(
    db: str, published: list[str]
) -> None:
    # the statuses of a message an automation sent must reach dashboards like any other
    run_id = uuid.uuid4()
    alone = await emit_event(
        "message.delivered", source="webhook", caused_by_automation_run_id=run_id
    )
    async with in_transaction() as conn:
        batch = [
            WhatsAppAnalyticsEvent(name="message.sent", source="scheduler"),
            WhatsAppAnalyticsEvent(
                name="message.sent", source="scheduler", caused_by_automation_run_id=run_id
            ),
        ]
        await emit_events(batch, using_db=conn)
    assert published == [str(alone.id), *(str(e.id) for e in batch)]


async def test_a_rolled_back_transaction_publishes_nothing(db: str, published: list[str]) -> None:
    async def write_then_fail() -> None:
        async with in_transaction() as conn:
            await emit_event("test.rolled_back", source="api", using_db=conn)
            raise RuntimeError("the writer fails after recording")

    with pytest.raises(RuntimeError):
        await write_then_fail()
    assert published == []
    assert await WhatsAppAnalyticsEvent.filter(name="test.rolled_back").count() == 0


async def test_a_nested_transaction_publishes_when_the_outer_one_commits(
    db: str, published: list[str]
) -> None:
    async with in_transaction() as outer:
        async with in_transaction() as inner:
            event = await emit_event("test.nested", source="api", using_db=inner)
        assert published == []
        assert outer is not None
    assert published == [str(event.id)]


async def test_a_failing_sink_never_fails_the_writer(db: str, published: list[str]) -> None:
    def broken(batch: Sequence[str]) -> None:
        raise ConnectionError("redis is down")

    publisher.add_sink(broken)
    try:
        event = await emit_event("test.sink_down", source="api")
    finally:
        publisher.remove_sink(broken)
    assert published == [str(event.id)]


async def test_the_hub_skips_ids_it_cannot_read(db: str) -> None:
    # a savepoint rolled back inside a committed transaction: its id was published, no row
    hub = Hub(max_queue=10)
    subscription = hub.subscribe(lambda item: True)
    event = await emit_event("test.real", source="api")
    await hub.deliver(["00000000-0000-0000-0000-000000000000", str(event.id)])
    update = await anext(aiter(subscription))
    assert update.item.event.id == event.id
    await hub.aclose()


async def test_a_slow_subscriber_loses_the_oldest_and_is_told_how_many(db: str) -> None:
    hub = Hub(max_queue=2)
    subscription = hub.subscribe(lambda item: True)
    events = [await emit_event(f"test.burst{i}", source="api") for i in range(5)]
    for event in events:
        subscription.offer(LiveItem(event, None))
    updates = aiter(subscription)
    first = await anext(updates)
    second = await anext(updates)
    assert [first.item.event.name, second.item.event.name] == ["test.burst3", "test.burst4"]
    assert (first.missed, second.missed) == (3, 0)
    await hub.aclose()
