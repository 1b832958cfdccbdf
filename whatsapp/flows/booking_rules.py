"""What makes a booking valid: the stay's dates and the travelling party, checked as the
customer submits them and again when they confirm (the journey keeps every submission, so the
confirmation re-reads the answers instead of trusting that they were checked).

A rule broken by what the customer sent is an `Invalid` carrying the sentence to show on their
screen; nothing here raises anything else for customer data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from whatsapp.flows.booking_catalogue import Destination

MAX_NIGHTS = 30
BOOKING_HORIZON_DAYS = 365  # how far ahead a stay may end
MAX_ADULTS = 6
MAX_CHILDREN = 4
MAX_PARTY = 6

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")  # DatePicker values (Flow JSON 5.0+): YYYY-MM-DD
_COUNT = re.compile(r"\d{1,2}")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class Invalid(Exception):
    """A rule the customer's answer breaks; `str(self)` is what their screen shows."""


@dataclass(frozen=True, slots=True)
class Stay:
    destination: Destination
    check_in: date
    check_out: date

    @property
    def nights(self) -> int:
        return (self.check_out - self.check_in).days

    def summary(self) -> str:
        nights = f"{self.nights} night" + ("" if self.nights == 1 else "s")
        return f"{_day(self.check_in)} to {_day(self.check_out)} ({nights})"


@dataclass(frozen=True, slots=True)
class Party:
    adults: int
    children: int

    @property
    def size(self) -> int:
        return self.adults + self.children

    def summary(self) -> str:
        parts = [plural(self.adults, "adult", "adults")]
        if self.children:
            parts.append(plural(self.children, "child", "children"))
        return ", ".join(parts)


def bookable_dates(destination: Destination) -> tuple[date, date]:
    """The first and last day a stay at the destination may touch (the date pickers' range)."""
    today = destination.today()
    return today, today + timedelta(days=BOOKING_HORIZON_DAYS)


def stay(destination: Destination, check_in: object, check_out: object) -> Stay:
    """The stay the customer chose, or Invalid with the rule it breaks."""
    first, last = _date(check_in), _date(check_out)
    if first is None or last is None:
        raise Invalid("Please choose both a check-in and a check-out date.")
    earliest, latest = bookable_dates(destination)
    if first < earliest:
        raise Invalid("Your check-in date is in the past. Please choose a later date.")
    if last <= first:
        raise Invalid("Your check-out date must be after your check-in date.")
    if (last - first).days > MAX_NIGHTS:
        raise Invalid(f"Stays are limited to {MAX_NIGHTS} nights. Please choose fewer nights.")
    if last > latest:
        raise Invalid(f"We take bookings up to {BOOKING_HORIZON_DAYS} days ahead.")
    return Stay(destination, first, last)


def party(adults: object, children: object) -> Party:
    """The travelling party the customer chose, or Invalid with the rule it breaks."""
    grown = _count(adults)
    if grown is None:
        raise Invalid("Please choose how many adults are travelling.")
    young = 0 if children in (None, "") else _count(children)
    if young is None:
        raise Invalid("Please choose how many children are travelling.")
    if grown < 1:
        raise Invalid("At least one adult must travel.")
    if grown > MAX_ADULTS:
        raise Invalid(f"A booking can include at most {MAX_ADULTS} adults.")
    if young > MAX_CHILDREN:
        raise Invalid(f"A booking can include at most {MAX_CHILDREN} children.")
    if grown + young > MAX_PARTY:
        raise Invalid(f"A booking can include at most {MAX_PARTY} travellers.")
    return Party(grown, young)


def stay_rules() -> str:
    return f"Stays of 1 to {MAX_NIGHTS} nights, ending within the next {BOOKING_HORIZON_DAYS} days."


def party_rules() -> str:
    return (
        f"Up to {MAX_PARTY} travellers per booking: 1 to {MAX_ADULTS} adults "
        f"and up to {MAX_CHILDREN} children."
    )


def _date(value: object) -> date | None:
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:  # 2026-02-30 and the like
        return None


def _count(value: object) -> int | None:
    """A count as a Dropdown sends it (an id such as "2"), or as a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and _COUNT.fullmatch(value.strip()):
        return int(value.strip())
    return None


def _day(value: date) -> str:
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def plural(count: int, one: str, many: str) -> str:
    """ "1 adult", "2 adults"."""
    return f"{count} {one if count == 1 else many}"
