"""What the simulated customer does in a Flow: a script, read screen by screen.

Two forms, both JSON:

- by screen — `{"DESTINATION": {"destination": "lisbon"}, "DATES": [{...bad...}, {...good...}],
  "TRAVELLERS": "BACK"}`: the value is what the customer submits on that screen (an object),
  `"BACK"` (press back), or a list of those used one per visit, in order;
- in order — `[{"screen": "DESTINATION", "data": {...}}, {"action": "BACK"},
  {"error": "INVALID_DATA", "error_message": "…"}]`: each step is a submission (`data`; an
  optional `screen` asserts which screen the customer is on), a back press (`action: "BACK"`),
  or an error notification (`error`, `error_message`: the client reporting that the endpoint's
  last answer could not be shown).

The run stops, "waiting", on a screen the script has nothing (more) for.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

SUBMIT = "data_exchange"
BACK = "BACK"
ERROR = "error"
_STEP_KEYS = frozenset({"screen", "data", "action", "error", "error_message"})


class ScriptError(ValueError):
    """A script the sandbox cannot follow (a 400 of the control endpoint)."""


class ScriptMismatch(Exception):
    """The next ordered step names a screen the customer is not on."""


@dataclass(frozen=True, slots=True)
class Step:
    kind: str  # SUBMIT, BACK or ERROR
    screen: str | None = None  # ordered form: the screen the step expects
    data: dict[str, Any] = field(default_factory=dict)


class Script:
    def __init__(self, raw: Any) -> None:
        self._by_screen: dict[str, deque[Step]] = {}
        self._ordered: deque[Step] | None = None
        if raw is None:
            return
        if isinstance(raw, dict):
            for screen, value in raw.items():
                visits = value if isinstance(value, list) else [value]
                self._by_screen[screen] = deque(_visit(screen, v) for v in visits)
        elif isinstance(raw, list):
            self._ordered = deque(_step(i, s) for i, s in enumerate(raw))
        else:
            raise ScriptError("script must be an object (by screen) or an array (in order)")

    def next_for(self, screen: str | None) -> Step | None:
        """The customer's next move on `screen`; None when the script has none."""
        if self._ordered is not None:
            if not self._ordered:
                return None
            step = self._ordered[0]
            if step.screen is not None and step.screen != screen:
                raise ScriptMismatch(
                    f"the script's next step is for screen {step.screen!r}, "
                    f"but the customer is on {screen!r}"
                )
            return self._ordered.popleft()
        visits = self._by_screen.get(screen or "")
        return visits.popleft() if visits else None


def _visit(screen: str, value: Any) -> Step:
    if value == BACK:
        return Step(BACK)
    if isinstance(value, dict):
        return Step(SUBMIT, data=value)
    raise ScriptError(f'script[{screen!r}]: give an object to submit, "BACK", or a list of them')


def _step(index: int, raw: Any) -> Step:
    where = f"script[{index}]"
    if not isinstance(raw, dict):
        raise ScriptError(f"{where} must be an object")
    unknown = sorted(set(raw) - _STEP_KEYS)
    if unknown:
        raise ScriptError(f"{where}: unknown keys {unknown}; known: {sorted(_STEP_KEYS)}")
    screen = raw.get("screen")
    if screen is not None and not isinstance(screen, str):
        raise ScriptError(f"{where}.screen must be a string")
    if "error" in raw:
        error, message = raw["error"], raw.get("error_message", "")
        if not isinstance(error, str) or not isinstance(message, str):
            raise ScriptError(f"{where}: error and error_message must be strings")
        return Step(ERROR, screen, {"error": error, "error_message": message})
    action = raw.get("action", SUBMIT)
    if action == BACK:
        return Step(BACK, screen)
    if action != SUBMIT:
        raise ScriptError(f'{where}.action must be "{SUBMIT}" or "{BACK}"')
    data = raw.get("data", {})
    if not isinstance(data, dict):
        raise ScriptError(f"{where}.data must be an object")
    return Step(SUBMIT, screen, data)
