"""The reference Flow handler shipped with wagraph: the seed's travel booking journey.

Its Flow JSON is `flows/booking.json` (publish it as it is; `flows/README.md`); the lead
registers it as `booking`, so WhatsApp calls `/flows/booking`. Four screens, in order:

    DESTINATION -> DATES -> TRAVELLERS -> CONFIRM -> (completion)

- INIT shows DESTINATION with the catalogue (`booking_catalogue.py`);
- each screen's submit (`data_exchange`) is checked (`booking_rules.py`): a broken rule keeps the
  customer on the screen with the sentence to fix it (`ScreenError`, with the screen's data so it
  renders again as it was); a good answer shows the next screen with the data its Flow JSON
  declares, and names a funnel event (`flow.destination.selected`, `flow.dates.selected`,
  `flow.travellers.selected`);
- CONFIRM re-checks every answer of the journey (the journey stores each submission, valid or
  not) and completes the Flow with the booking as params and `flow.booking.created`. The booking
  reference is derived from the flow token, so a retried final request names the same booking;
- BACK comes from a screen with `refresh_on_back` (Meta sends the screen being left) and shows
  the screen before it, its data rebuilt from the answers so far.

Nothing a customer sends raises: an unknown screen or a journey missing earlier answers is a
`ScreenError` too. Only an action the endpoint should never pass here raises (a bug).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from whatsapp.flows import booking_catalogue as catalogue
from whatsapp.flows import booking_rules as rules
from whatsapp.flows.booking_catalogue import Destination
from whatsapp.flows.booking_rules import Invalid, Party, Stay
from whatsapp.flows.handlers import Complete, FlowStep, NextScreen, Reply, ScreenError

DESTINATION, DATES, TRAVELLERS, CONFIRM = "DESTINATION", "DATES", "TRAVELLERS", "CONFIRM"
SCREENS = (DESTINATION, DATES, TRAVELLERS, CONFIRM)  # the journey's order

UNKNOWN_SCREEN = "This step of the booking is no longer available. Please start again."
LOST_ANSWERS = "We lost your earlier answers. Please go back and choose again."
NO_DESTINATION = "Please choose one of our destinations."
TERMS_NOT_ACCEPTED = "Please accept the booking terms to confirm your booking."


async def handle(step: FlowStep) -> Reply:
    """One request of a customer's booking journey, answered."""
    answers = _mapping(step.state.get("answers"))
    if step.action == "INIT":
        return NextScreen(DESTINATION, destination_data())
    if step.action == "BACK":
        current = step.screen or step.state.get("screen")
        return _back(current if isinstance(current, str) else "", answers)
    if step.action == "data_exchange":
        submit = _SUBMITS.get(step.screen or "")
        return submit(step, answers) if submit else ScreenError(UNKNOWN_SCREEN)
    raise ValueError(f"the booking handler got an action it does not know: {step.action!r}")


def booking_reference(flow_token: str) -> str:
    """The booking's reference: the same for every request of one journey (retries included)."""
    digest = hashlib.sha256(f"wagraph.booking:{flow_token}".encode()).digest()
    return "BK-" + base64.b32encode(digest).decode()[:8]


# -- the data each screen declares in flows/booking.json -----------------------------------------


def destination_data() -> dict[str, Any]:
    return {
        "destinations": [
            {"id": place.id, "title": place.name, "description": f"{place.country}. {place.blurb}"}
            for place in catalogue.DESTINATIONS
        ]
    }


def dates_data(destination: Destination) -> dict[str, Any]:
    first, last = rules.bookable_dates(destination)
    return {
        "destination_name": destination.label,
        "min_date": first.isoformat(),
        "max_date": last.isoformat(),
        "stay_rules": rules.stay_rules(),
    }


def travellers_data(stay: Stay) -> dict[str, Any]:
    return {
        "destination_name": stay.destination.label,
        "stay_summary": stay.summary(),
        "adult_options": [
            {"id": str(n), "title": rules.plural(n, "adult", "adults")}
            for n in range(1, rules.MAX_ADULTS + 1)
        ],
        "child_options": [
            {"id": str(n), "title": rules.plural(n, "child", "children") if n else "No children"}
            for n in range(rules.MAX_CHILDREN + 1)
        ],
        "party_rules": rules.party_rules(),
    }


def confirm_data(stay: Stay, party: Party) -> dict[str, Any]:
    return {
        "destination_name": stay.destination.label,
        "stay_summary": stay.summary(),
        "party_summary": party.summary(),
    }


# -- submits -------------------------------------------------------------------------------------


def _submit_destination(step: FlowStep, answers: Mapping[str, Any]) -> Reply:
    chosen = catalogue.find(step.data.get("destination"))
    if chosen is None:
        return ScreenError(NO_DESTINATION, destination_data())
    selected = {"destination": chosen.id, "destinationName": chosen.name}
    event = ("flow.destination.selected", selected)
    return NextScreen(DATES, dates_data(chosen), events=(event,))


def _submit_dates(step: FlowStep, answers: Mapping[str, Any]) -> Reply:
    try:
        destination = _chosen_destination(answers)
    except Invalid as exc:
        return _earlier_answer_error(exc)
    try:
        stay = rules.stay(destination, step.data.get("check_in"), step.data.get("check_out"))
    except Invalid as exc:
        return ScreenError(str(exc), dates_data(destination))
    event = ("flow.dates.selected", _stay_properties(stay))
    return NextScreen(TRAVELLERS, travellers_data(stay), events=(event,))


def _submit_travellers(step: FlowStep, answers: Mapping[str, Any]) -> Reply:
    try:
        stay = _chosen_stay(answers)
    except Invalid as exc:
        return _earlier_answer_error(exc)
    try:
        party = rules.party(step.data.get("adults"), step.data.get("children"))
    except Invalid as exc:
        return ScreenError(str(exc), travellers_data(stay))
    event = ("flow.travellers.selected", {"adults": party.adults, "children": party.children})
    return NextScreen(CONFIRM, confirm_data(stay, party), events=(event,))


def _submit_confirm(step: FlowStep, answers: Mapping[str, Any]) -> Reply:
    try:
        stay, party = _chosen_stay(answers), _chosen_party(answers)
    except Invalid as exc:
        return _earlier_answer_error(exc)
    if step.data.get("accept_terms") not in (True, "true"):
        return ScreenError(TERMS_NOT_ACCEPTED, confirm_data(stay, party))
    reference = booking_reference(step.flow_token)
    params = {
        "booking_reference": reference,
        "destination": stay.destination.id,
        "destination_name": stay.destination.name,
        "check_in": stay.check_in.isoformat(),
        "check_out": stay.check_out.isoformat(),
        "nights": stay.nights,
        "adults": party.adults,
        "children": party.children,
    }
    event = (
        "flow.booking.created",
        {
            "bookingReference": reference,
            **_stay_properties(stay),
            "adults": party.adults,
            "children": party.children,
        },
    )
    return Complete(params=params, events=(event,))


_SUBMITS: dict[str, Callable[[FlowStep, Mapping[str, Any]], Reply]] = {
    DESTINATION: _submit_destination,
    DATES: _submit_dates,
    TRAVELLERS: _submit_travellers,
    CONFIRM: _submit_confirm,
}


# -- back ----------------------------------------------------------------------------------------


def _back(leaving: str, answers: Mapping[str, Any]) -> Reply:
    """The screen before `leaving`, or the latest screen before it the answers can still fill."""
    if leaving not in SCREENS:
        return ScreenError(UNKNOWN_SCREEN)
    for screen in reversed(SCREENS[: max(SCREENS.index(leaving), 1)]):
        try:
            return NextScreen(screen, _screen_data(screen, answers))
        except Invalid:
            continue
    raise AssertionError("DESTINATION needs no earlier answer")  # pragma: no cover


def _screen_data(screen: str, answers: Mapping[str, Any]) -> dict[str, Any]:
    if screen == DESTINATION:
        return destination_data()
    if screen == DATES:
        return dates_data(_chosen_destination(answers))
    if screen == TRAVELLERS:
        return travellers_data(_chosen_stay(answers))
    return confirm_data(_chosen_stay(answers), _chosen_party(answers))


# -- the journey so far --------------------------------------------------------------------------


def _chosen_destination(answers: Mapping[str, Any]) -> Destination:
    chosen = catalogue.find(_mapping(answers.get(DESTINATION)).get("destination"))
    if chosen is None:
        raise Invalid(LOST_ANSWERS)
    return chosen


def _chosen_stay(answers: Mapping[str, Any]) -> Stay:
    dates = _mapping(answers.get(DATES))
    if not dates:
        raise Invalid(LOST_ANSWERS)
    return rules.stay(_chosen_destination(answers), dates.get("check_in"), dates.get("check_out"))


def _chosen_party(answers: Mapping[str, Any]) -> Party:
    travellers = _mapping(answers.get(TRAVELLERS))
    if not travellers:
        raise Invalid(LOST_ANSWERS)
    return rules.party(travellers.get("adults"), travellers.get("children"))


def _earlier_answer_error(exc: Invalid) -> ScreenError:
    """An earlier screen's answer no longer holds (a date that has passed since, or lost)."""
    message = str(exc)
    if message != LOST_ANSWERS:
        message = f"{message} Please go back to change it."
    return ScreenError(message)


def _stay_properties(stay: Stay) -> dict[str, Any]:
    return {
        "destination": stay.destination.id,
        "destinationName": stay.destination.name,
        "checkIn": stay.check_in.isoformat(),
        "checkOut": stay.check_out.isoformat(),
        "nights": stay.nights,
    }


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
