"""What the customers' phones remember about Flows (`FlowsState`): the flow messages the business
sent through `/messages`, by flow token (what the simulated WhatsApp client opens when a test or
demo runs a Flow, `control_flows`), the business public key each number's client last fetched,
and the screen each flow was left on.

Two kinds carry a flow token: an interactive `flow` message (`action.parameters.flow_token`, with
`flow_name`/`flow_id`, `flow_action` and, for `navigate`, `flow_action_payload`), and a template
whose FLOW button is given an `action: {flow_token, flow_action_data}` parameter (the flow's
name, id and first screen are then the template's).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sandbox.encryption_keys import BusinessKey

if TYPE_CHECKING:
    from sandbox.recipients import Target
    from sandbox.templates import StoredTemplate
    from sandbox.validation import Outgoing


@dataclass(frozen=True, slots=True)
class SentFlow:
    """One flow message as the customer's phone received it."""

    flow_token: str
    wamid: str
    phone_number_id: str
    chat: str  # the customer's number (their chat), as `KnownMessage.wa_id`
    flow: str | None  # `flow_name`, else `flow_id` (what wagraph's `/flows/{flow}` is named by)
    flow_action: str  # "navigate" or "data_exchange"
    screen: str | None  # navigate: the first screen
    data: dict[str, Any] = field(default_factory=dict)  # navigate: its data
    sent_at: float = 0.0

    def public(self) -> dict[str, Any]:
        return {
            "flow_token": self.flow_token,
            "wamid": self.wamid,
            "phone_number_id": self.phone_number_id,
            "customer": self.chat,
            "flow": self.flow,
            "flow_action": self.flow_action,
            "screen": self.screen,
            "data": self.data,
            "sent_at": self.sent_at,
        }


class FlowMessages:
    def __init__(self) -> None:
        self._by_token: dict[str, SentFlow] = {}

    def get(self, flow_token: str) -> SentFlow | None:
        return self._by_token.get(flow_token)

    def latest(self, chat: str, flow: str | None = None) -> SentFlow | None:
        """The last flow message sent to `chat` (of `flow`, when given)."""
        found = [
            sent
            for sent in self._by_token.values()
            if sent.chat == chat and (flow is None or sent.flow == flow)
        ]
        return max(found, key=lambda sent: sent.sent_at) if found else None

    def all(self) -> list[SentFlow]:
        return sorted(self._by_token.values(), key=lambda sent: sent.sent_at)

    def clear(self) -> None:
        self._by_token.clear()

    def remember(
        self,
        request: Outgoing,
        target: Target,
        template: StoredTemplate | None,
        *,
        pnid: str,
        wamid: str,
        now: float,
    ) -> None:
        """Keep the flow message this accepted send is, if it is one with a flow token."""
        if template is None:
            found = _from_interactive(request)
        else:
            found = _from_template(request, template)
        if found is None:
            return
        token, flow, action, screen, data = found
        self._by_token[token] = SentFlow(
            token, wamid, pnid, target.chat, flow, action, screen, data, sent_at=now
        )


Found = tuple[str, str | None, str, str | None, dict[str, Any]]


def _from_interactive(request: Outgoing) -> Found | None:
    payload = request.payload
    if request.type != "interactive" or payload.get("type") != "flow":
        return None
    params = payload["action"]["parameters"]
    token = params.get("flow_token")
    if not isinstance(token, str) or not token:
        return None
    flow = params.get("flow_name") or params.get("flow_id")
    action = params.get("flow_action") or "navigate"
    start = params.get("flow_action_payload") or {}
    return token, str(flow) if flow else None, action, start.get("screen"), start.get("data") or {}


def _from_template(request: Outgoing, template: StoredTemplate) -> Found | None:
    """A FLOW button's `action` parameter; the flow itself is the template's button."""
    buttons = [
        button
        for component in template.data.get("components", [])
        if component.get("type") == "BUTTONS"
        for button in component.get("buttons", [])
    ]
    for component in request.payload.get("components") or []:
        if component.get("type") != "button" or component.get("sub_type") != "flow":
            continue
        action = (component.get("parameters") or [{}])[0].get("action") or {}
        token = action.get("flow_token")
        index = int(component.get("index", 0))
        if not isinstance(token, str) or not token or index >= len(buttons):
            continue
        button = buttons[index]
        flow = button.get("flow_name") or button.get("flow_id")
        flow_action = str(button.get("flow_action", "navigate")).lower()
        data = action.get("flow_action_data") or {}
        return token, str(flow) if flow else None, flow_action, button.get("navigate_screen"), data
    return None


@dataclass(slots=True)
class RunState:
    """Where the customer left a flow: the screen shown, its data, and how the run ended."""

    screen: str | None
    data: dict[str, Any]
    status: str


class FlowsState:
    """The simulated clients' memory of Flows; emptied by `Sandbox.reset`."""

    def __init__(self) -> None:
        self.sent = FlowMessages()
        # The business public key the client holds per phone-number id: fetched on first use,
        # fetched again only after a 421 (as WhatsApp does), so a rotation is seen late.
        self.client_keys: dict[str, BusinessKey] = {}
        self.runs: dict[str, RunState] = {}

    def clear(self) -> None:
        self.sent.clear()
        self.client_keys.clear()
        self.runs.clear()
