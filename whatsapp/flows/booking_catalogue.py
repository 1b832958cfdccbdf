"""The destinations the reference booking Flow offers, as data.

A business adapting the booking journey replaces this list (or the `DESTINATIONS` it reads) with
its own; the handler only needs an id the Flow sends back, a name to show, and the time zone
that decides what "today" is for a stay there (a check-in is in the past when it is before
today *at the destination*, wherever the customer is).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from whatsapp.kit.clock import utcnow


@dataclass(frozen=True, slots=True)
class Destination:
    id: str  # what the Flow sends back (RadioButtonsGroup item id)
    name: str  # item title: at most 30 characters (Meta's limit)
    country: str
    timezone: str  # IANA name
    blurb: str  # item description: at most 300 characters

    def today(self) -> date:
        """Today's date at the destination."""
        return utcnow().astimezone(ZoneInfo(self.timezone)).date()

    @property
    def label(self) -> str:
        return f"{self.name}, {self.country}"


DESTINATIONS: tuple[Destination, ...] = (
    Destination(
        "lisbon", "Lisbon", "Portugal", "Europe/Lisbon", "Tiled streets, trams and sunsets."
    ),
    Destination("barcelona", "Barcelona", "Spain", "Europe/Madrid", "Gaudí, tapas and the beach."),
    Destination(
        "marrakech", "Marrakech", "Morocco", "Africa/Casablanca", "Souks, riads and the Atlas."
    ),
    Destination(
        "cape_town",
        "Cape Town",
        "South Africa",
        "Africa/Johannesburg",
        "Table Mountain and the Cape wine route.",
    ),
    Destination("kyoto", "Kyoto", "Japan", "Asia/Tokyo", "Temples, gardens and tea houses."),
    Destination("bali", "Bali", "Indonesia", "Asia/Makassar", "Rice terraces, surf and temples."),
    Destination(
        "rio", "Rio de Janeiro", "Brazil", "America/Sao_Paulo", "Beaches, samba and Sugarloaf."
    ),
    Destination(
        "new_york", "New York", "United States", "America/New_York", "Museums, Broadway, parks."
    ),
)

_BY_ID = {destination.id: destination for destination in DESTINATIONS}


def find(destination_id: object) -> Destination | None:
    """The destination a customer chose, or None for anything else they could send."""
    return _BY_ID.get(destination_id) if isinstance(destination_id, str) else None
