"""The reference booking Flow's handler, walked as a customer walks it: each request answered by
the handler and stored as the endpoint stores it (`journeys.find` / `journeys.record`), so the
handler reads the journey state the real store writes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import pytest

from models import SessionStatus, WhatsAppAnalyticsEvent, WhatsAppSession
from whatsapp.flows import booking, booking_rules, journeys
from whatsapp.flows import booking_catalogue as catalogue
from whatsapp.flows.booking_catalogue import Destination
from whatsapp.flows.handlers import Complete, FlowStep, NextScreen, Reply, ScreenError

TTL = timedelta(days=7)
LISBON: Destination = next(place for place in catalogue.DESTINATIONS if place.id == "lisbon")

# Good answers for each screen, as the Flow JSON's payloads send them.
GOOD: dict[str, dict[str, Any]] = {
    "DESTINATION": {"destination": "lisbon"},
    "DATES": {},  # filled per test run: dates are relative to today at the destination
    "TRAVELLERS": {"adults": "2", "children": "1"},
    "CONFIRM": {"accept_terms": True},
}


def day(offset: int) -> str:
    """A date `offset` days from today in Lisbon, as a DatePicker sends it."""
    return (LISBON.today() + timedelta(days=offset)).isoformat()


def good_stay() -> booking_rules.Stay:
    return booking_rules.stay(LISBON, day(10), day(14))


def good(screen: str) -> dict[str, Any]:
    if screen == "DATES":
        return {"check_in": day(10), "check_out": day(14)}
    return dict(GOOD[screen])


class Customer:
    """One customer's journey through the booking Flow, stored as the endpoint stores it."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.seen: list[tuple[FlowStep, Reply]] = []

    @classmethod
    async def opening(cls, token: str = "booking-token-1") -> Customer:
        await WhatsAppSession.create(flow_token=token)
        return cls(token)

    async def send(self, action: str, screen: str | None = None, **data: Any) -> Reply:
        journey = await journeys.find(self.token, ttl=TTL)
        step = FlowStep(
            flow="booking",
            action=action,
            screen=screen,
            data=data,
            flow_token=self.token,
            state=journey.state,
            session_id=str(journey.session.id),
            contact_id=None,
        )
        reply = await booking.handle(step)
        await journeys.record(journey, step, reply, ttl=TTL)
        self.seen.append((step, reply))
        return reply

    async def reach(self, screen: str) -> Reply:
        """Open the Flow and answer every screen before `screen` well."""
        reply = await self.send("INIT")
        for earlier in booking.SCREENS[: booking.SCREENS.index(screen)]:
            reply = await self.send("data_exchange", earlier, **good(earlier))
        assert isinstance(reply, NextScreen)
        assert reply.screen == screen
        return reply

    async def state(self) -> Mapping[str, Any]:
        session = await WhatsAppSession.get(flow_token=self.token)
        return dict(session.context["flowState"])

    async def events(self, prefix: str = "flow.") -> list[tuple[str, dict[str, Any]]]:
        rows = await WhatsAppAnalyticsEvent.filter(name__startswith=prefix).order_by("created_at")
        return [(row.name, dict(row.properties)) for row in rows]


# -- the whole journey ---------------------------------------------------------------------------


async def test_a_customer_books_a_stay_from_destination_to_confirmation() -> None:
    # given
    customer = await Customer.opening()

    # when
    opened = await customer.send("INIT")
    dates = await customer.send("data_exchange", "DESTINATION", destination="lisbon")
    travellers = await customer.send("data_exchange", "DATES", check_in=day(10), check_out=day(14))
    confirm = await customer.send("data_exchange", "TRAVELLERS", adults="2", children="1")
    done = await customer.send("data_exchange", "CONFIRM", accept_terms=True)

    # then
    assert isinstance(opened, NextScreen)
    assert opened.screen == "DESTINATION"
    assert [d["id"] for d in opened.data["destinations"]][:2] == ["lisbon", "barcelona"]
    assert isinstance(dates, NextScreen)
    assert dates.screen == "DATES"
    assert dates.data["destination_name"] == "Lisbon, Portugal"
    assert dates.data["min_date"] == day(0)
    assert isinstance(travellers, NextScreen)
    assert travellers.screen == "TRAVELLERS"
    assert travellers.data["stay_summary"].endswith("(4 nights)")
    assert isinstance(confirm, NextScreen)
    assert confirm.screen == "CONFIRM"
    assert confirm.data["party_summary"] == "2 adults, 1 child"
    assert isinstance(done, Complete)
    assert done.screen == "SUCCESS"
    reference = booking.booking_reference(customer.token)
    assert dict(done.params) == {
        "booking_reference": reference,
        "destination": "lisbon",
        "destination_name": "Lisbon",
        "check_in": day(10),
        "check_out": day(14),
        "nights": 4,
        "adults": 2,
        "children": 1,
    }
    session = await WhatsAppSession.get(flow_token=customer.token)
    assert session.status == SessionStatus.COMPLETED
    assert session.context["flowState"]["result"]["booking_reference"] == reference
    events = await customer.events()
    named = {name: properties for name, properties in events}
    assert Counter(name for name, _ in events) == {
        "flow.started": 1,
        "flow.screen.submitted": 4,
        "flow.destination.selected": 1,
        "flow.dates.selected": 1,
        "flow.travellers.selected": 1,
        "flow.booking.created": 1,
        "flow.completed": 1,
    }
    assert named["flow.completed"]["response"] == dict(done.params)
    assert named["flow.destination.selected"] == {
        "flow": "booking",
        "flowToken": customer.token,
        "destination": "lisbon",
        "destinationName": "Lisbon",
    }
    assert named["flow.dates.selected"]["nights"] == 4
    assert named["flow.travellers.selected"]["adults"] == 2
    assert named["flow.booking.created"] == {
        "flow": "booking",
        "flowToken": customer.token,
        "bookingReference": reference,
        "destination": "lisbon",
        "destinationName": "Lisbon",
        "checkIn": day(10),
        "checkOut": day(14),
        "nights": 4,
        "adults": 2,
        "children": 1,
    }


async def test_a_retried_confirmation_names_the_same_booking_and_another_journey_another() -> None:
    # given
    customer = await Customer.opening("token-a")
    await customer.reach("CONFIRM")
    journey = await journeys.find(customer.token, ttl=TTL)
    step = FlowStep(
        "booking", "data_exchange", "CONFIRM", good("CONFIRM"), "token-a", journey.state, "s", None
    )

    # when
    first, retried = await booking.handle(step), await booking.handle(step)

    # then
    assert isinstance(first, Complete)
    assert isinstance(retried, Complete)
    assert first.params["booking_reference"] == retried.params["booking_reference"]
    assert first.params["booking_reference"] == booking.booking_reference("token-a")
    assert booking.booking_reference("token-b") != booking.booking_reference("token-a")
    assert booking.booking_reference("token-a").startswith("BK-")


async def test_no_children_chosen_books_for_adults_only() -> None:
    # given
    customer = await Customer.opening()
    await customer.reach("TRAVELLERS")

    # when
    confirm = await customer.send("data_exchange", "TRAVELLERS", adults="1")

    # then
    assert isinstance(confirm, NextScreen)
    assert confirm.data["party_summary"] == "1 adult"


# -- validation errors ---------------------------------------------------------------------------


async def test_an_unknown_destination_keeps_the_customer_on_the_list() -> None:
    # given
    customer = await Customer.opening()
    await customer.send("INIT")

    # when
    reply = await customer.send("data_exchange", "DESTINATION", destination="atlantis")

    # then
    assert isinstance(reply, ScreenError)
    assert reply.message == booking.NO_DESTINATION
    assert reply.data == booking.destination_data()
    assert reply.events == ()
    assert (await customer.state())["screen"] == "DESTINATION"
    assert "flow.destination.selected" not in [name for name, _ in await customer.events()]


@pytest.mark.parametrize(
    ("check_in", "check_out", "message"),
    [
        pytest.param(day(-2), day(3), "check-in date is in the past", id="check-in-in-the-past"),
        pytest.param(day(10), day(10), "must be after your check-in", id="same-day"),
        pytest.param(day(10), day(8), "must be after your check-in", id="check-out-before"),
        pytest.param(day(10), day(41), "limited to 30 nights", id="31-nights"),
        pytest.param(day(360), day(366), "up to 365 days ahead", id="beyond-the-horizon"),
        pytest.param(None, day(3), "choose both", id="no-check-in"),
        pytest.param(day(3), "", "choose both", id="empty-check-out"),
        pytest.param("10/12/2026", day(14), "choose both", id="not-iso"),
        pytest.param("2027-02-30", "2027-03-02", "choose both", id="no-such-day"),
        pytest.param(1765324800000, day(14), "choose both", id="a-timestamp"),
    ],
)
async def test_dates_that_break_a_rule_are_refused_on_the_dates_screen(
    check_in: Any, check_out: Any, message: str
) -> None:
    # given
    customer = await Customer.opening()
    await customer.reach("DATES")

    # when
    reply = await customer.send("data_exchange", "DATES", check_in=check_in, check_out=check_out)

    # then
    assert isinstance(reply, ScreenError)
    assert message in reply.message
    assert reply.data == booking.dates_data(LISBON)
    assert reply.events == ()
    assert (await customer.state())["screen"] == "DATES"


@pytest.mark.parametrize(
    ("adults", "children", "message"),
    [
        pytest.param("0", "0", "At least one adult", id="no-adult"),
        pytest.param("7", "0", "at most 6 adults", id="too-many-adults"),
        pytest.param("2", "5", "at most 4 children", id="too-many-children"),
        pytest.param("4", "3", "at most 6 travellers", id="party-too-large"),
        pytest.param(None, "1", "how many adults", id="no-adults-chosen"),
        pytest.param("two", "1", "how many adults", id="adults-not-a-number"),
        pytest.param(True, "1", "how many adults", id="adults-a-boolean"),
        pytest.param("2", "-1", "how many children", id="negative-children"),
        pytest.param("2", 2.5, "how many children", id="fractional-children"),
    ],
)
async def test_a_party_that_breaks_a_rule_is_refused_on_the_travellers_screen(
    adults: Any, children: Any, message: str
) -> None:
    # given
    customer = await Customer.opening()
    await customer.reach("TRAVELLERS")

    # when
    reply = await customer.send("data_exchange", "TRAVELLERS", adults=adults, children=children)

    # then
    assert isinstance(reply, ScreenError)
    assert message in reply.message
    assert reply.data == booking.travellers_data(good_stay())
    assert reply.events == ()
    assert (await customer.state())["screen"] == "TRAVELLERS"


async def test_confirming_without_accepting_the_terms_is_refused_then_accepted() -> None:
    # given
    customer = await Customer.opening()
    await customer.reach("CONFIRM")

    # when
    refused = await customer.send("data_exchange", "CONFIRM", accept_terms=False)
    accepted = await customer.send("data_exchange", "CONFIRM", accept_terms=True)

    # then
    assert isinstance(refused, ScreenError)
    assert refused.message == booking.TERMS_NOT_ACCEPTED
    assert refused.data["party_summary"] == "2 adults, 1 child"
    assert isinstance(accepted, Complete)
    names = [name for name, _ in await customer.events()]
    assert names.count("flow.booking.created") == 1
    assert names.count("flow.screen.rejected") == 1


async def test_a_confirmation_whose_dates_have_passed_since_asks_to_go_back() -> None:
    # given: the customer chose dates, then left the Flow open until they were in the past
    customer = await Customer.opening()
    await customer.reach("CONFIRM")
    session = await WhatsAppSession.get(flow_token=customer.token)
    session.context["flowState"]["answers"]["DATES"] = {"check_in": day(-3), "check_out": day(-1)}
    await session.save(update_fields=["context"])

    # when
    reply = await customer.send("data_exchange", "CONFIRM", accept_terms=True)

    # then
    assert isinstance(reply, ScreenError)
    assert "in the past" in reply.message
    assert "go back" in reply.message
    assert (await WhatsAppSession.get(flow_token=customer.token)).status == SessionStatus.ACTIVE


@pytest.mark.parametrize("screen", ["DATES", "TRAVELLERS", "CONFIRM"])
async def test_a_journey_missing_its_earlier_answers_is_an_error_not_an_exception(
    screen: str,
) -> None:
    # given: a journey whose state lost the earlier screens (never opened with INIT here)
    customer = await Customer.opening()

    # when
    reply = await customer.send("data_exchange", screen, **good(screen))

    # then
    assert isinstance(reply, ScreenError)
    assert reply.message == booking.LOST_ANSWERS


# -- back ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("leaving", "shown"),
    [
        ("DATES", "DESTINATION"),
        ("TRAVELLERS", "DATES"),
        ("CONFIRM", "TRAVELLERS"),
        ("DESTINATION", "DESTINATION"),
    ],
)
async def test_back_shows_the_screen_before_with_its_data_rebuilt(leaving: str, shown: str) -> None:
    # given
    customer = await Customer.opening()
    await customer.reach(leaving)

    # when
    reply = await customer.send("BACK", leaving)

    # then
    assert isinstance(reply, NextScreen)
    assert reply.screen == shown
    expected = {
        "DESTINATION": booking.destination_data,
        "DATES": lambda: booking.dates_data(LISBON),
        "TRAVELLERS": lambda: booking.travellers_data(good_stay()),
    }[shown]()
    assert reply.data == expected
    assert (await customer.state())["screen"] == shown


async def test_back_without_a_screen_leaves_the_screen_the_journey_is_on() -> None:
    # given
    customer = await Customer.opening()
    await customer.reach("TRAVELLERS")

    # when
    reply = await customer.send("BACK")

    # then
    assert isinstance(reply, NextScreen)
    assert reply.screen == "DATES"


async def test_back_then_forward_again_books_with_the_new_answer() -> None:
    # given
    customer = await Customer.opening()
    await customer.reach("CONFIRM")
    await customer.send("BACK", "CONFIRM")
    await customer.send("BACK", "TRAVELLERS")
    await customer.send("BACK", "DATES")

    # when
    await customer.send("data_exchange", "DESTINATION", destination="kyoto")
    await customer.send("data_exchange", "DATES", check_in=day(20), check_out=day(23))
    await customer.send("data_exchange", "TRAVELLERS", adults="1", children="0")
    done = await customer.send("data_exchange", "CONFIRM", accept_terms=True)

    # then
    assert isinstance(done, Complete)
    assert done.params["destination"] == "kyoto"
    assert done.params["nights"] == 3
    backs = [name for name, _ in await customer.events() if name == "flow.screen.back"]
    assert len(backs) == 3


# -- what is not the booking's -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "screen"),
    [
        ("data_exchange", "PAYMENT"),
        ("data_exchange", "SUCCESS"),
        ("data_exchange", None),
        ("BACK", "PAYMENT"),
        ("BACK", "success"),
    ],
)
async def test_an_unknown_screen_is_an_error_on_screen_not_an_exception(
    action: str, screen: str | None
) -> None:
    # given
    customer = await Customer.opening()
    await customer.send("INIT")

    # when
    reply = await customer.send(action, screen, anything="at all")

    # then
    assert isinstance(reply, ScreenError)
    assert reply.message == booking.UNKNOWN_SCREEN
    assert reply.events == ()
    assert (await customer.state())["screen"] == "DESTINATION"


async def test_an_action_the_endpoint_never_passes_is_a_bug_and_raises() -> None:
    # given
    step = FlowStep("booking", "ping", None, {}, "token", {}, "session", None)

    # when / then
    with pytest.raises(ValueError, match="ping"):
        await booking.handle(step)
