"""What a Flow's handler is: the code behind one flow's screens, found by the flow's name.

WhatsApp calls the endpoint (`/flows/{flow}`) when a customer opens a Flow that starts with a
data exchange (`INIT`), submits a screen (`data_exchange`) or goes back to a screen that asks to
be refreshed (`BACK`). The endpoint finds the session by its flow token, and the handler
registered under `{flow}` decides what happens next:

- `NextScreen(screen, data)` — show that screen with that data;
- `ScreenError(message)` — stay on the current screen and show the message (a validation error);
- `Complete(params, data)` — close the Flow: the session completes, `flow.completed` is emitted,
  and WhatsApp sends the completion message whose `response_json` carries `params` (and the flow
  token) back as an `nfm_reply`.

A handler may also name events to emit with the step (`events`: e.g.
`("flow.destination.selected", {"destination": "Lisbon"})`), written in the same transaction as
the journey state. It reads the journey so far (`FlowStep.state`) and never writes: the endpoint
stores every step (`journeys.py`).

Journey state lives in `Session.context["flowState"]`:

    {"screen": "DATES",                       # the screen the customer is on now
     "answers": {"DESTINATION": {...}},       # the data each screen submitted, by screen
     "history": [{"action": "data_exchange", "screen": "DESTINATION", "next": "DATES",
                  "at": "2026-12-06T00:30:00+00:00"}, ...],
     "result": {...}}                         # the completion's params, once complete
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Events = tuple[tuple[str, Mapping[str, Any]], ...]


@dataclass(frozen=True, slots=True)
class FlowStep:
    """One request of a customer's journey, as the handler sees it."""

    flow: str  # the handler's name (the endpoint's `{flow}`)
    action: str  # INIT, data_exchange or BACK
    screen: str | None  # the screen the request comes from (None for INIT)
    data: Mapping[str, Any]  # what that screen submitted
    flow_token: str
    state: Mapping[str, Any]  # the journey so far (see the module's docstring)
    session_id: str
    contact_id: str | None
    # Data API 4.0: "verified" when the request's flow_token_signature (Meta's JWT over the
    # token) checked out; "absent" when the request carried none (it is optional before 4.0).
    token_signature: str = "absent"


@dataclass(frozen=True, slots=True)
class NextScreen:
    screen: str
    data: Mapping[str, Any] = field(default_factory=dict)
    events: Events = ()


@dataclass(frozen=True, slots=True)
class ScreenError:
    message: str
    data: Mapping[str, Any] = field(default_factory=dict)  # more data for the same screen
    events: Events = ()


@dataclass(frozen=True, slots=True)
class Complete:
    params: Mapping[str, Any] = field(default_factory=dict)  # returned in the nfm_reply
    screen: str = "SUCCESS"
    events: Events = ()


Reply = NextScreen | ScreenError | Complete
FlowHandler = Callable[[FlowStep], Awaitable[Reply]]

_REGISTRY: dict[str, FlowHandler] = {}


def register(name: str, handler: FlowHandler) -> None:
    """Make `handler` answer `/flows/{name}` (the last registration of a name wins)."""
    _REGISTRY[name] = handler


def handler_for(name: str) -> FlowHandler | None:
    return _REGISTRY.get(name)


def registered() -> list[str]:
    return sorted(_REGISTRY)
