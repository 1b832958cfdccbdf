"""Knobs of the sandbox: identities, limits, timings and fault injection.

Everything that a test, demo or benchmark may want to vary lives here, so a `Sandbox` is fully
described by one value. Runtime changes go through `PUT /_sandbox/config` (see `RUNTIME_KNOBS`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

FAULT_KINDS = frozenset({"5xx", "timeout", "error"})

# Fields `PUT /_sandbox/config` may change while the server runs (identities and secrets stay put:
# changing them under a running client would only produce confusing auth failures).
RUNTIME_KNOBS: dict[str, type | tuple[type, ...]] = {
    "webhook_url": (str, type(None)),
    "rate_limit_mps": int,
    "pair_limit_burst": int,
    "pair_limit_interval_s": (int, float),
    "status_delays_s": (list, tuple),
    "read_receipts": bool,
    "window_hours": (int, float),
    "fault_rate": (int, float),
    "fault_kind": str,
    "fault_error_code": int,
    "fault_timeout_s": (int, float),
    "webhook_retry_horizon_s": (int, float),
    "webhook_retry_base_s": (int, float),
    "template_review_delay_s": (int, float),
    "cloud_api_marketing_disabled": bool,
    "restricted_countries": (list, tuple),
    "flows_endpoint": (str, type(None)),
    "flows_timeout_s": (int, float),
    "response_delay_s": (int, float),
}
_TUPLE_KNOBS = frozenset({"status_delays_s", "restricted_countries"})


def _default_numbers() -> dict[str, str]:
    return {"106540352242922": "15550783881"}


@dataclass
class SandboxConfig:
    """How the simulated Cloud API behaves; defaults mirror Meta's real limits."""

    access_token: str = "sandbox-token"
    app_secret: str = "sandbox-app-secret"
    phone_numbers: dict[str, str] = field(default_factory=_default_numbers)
    waba_id: str = "102290129340398"
    webhook_url: str | None = None
    rate_limit_mps: int = 80
    pair_limit_burst: int = 45
    pair_limit_interval_s: float = 6.0
    status_delays_s: tuple[float, float, float] = (0.02, 0.05, 0.1)
    read_receipts: bool = True
    window_hours: float = 24.0
    open_window_for: tuple[str, ...] = ("15551234567",)
    fault_rate: float = 0.0
    fault_kind: str = "5xx"
    fault_error_code: int = 131000
    fault_timeout_s: float = 30.0
    webhook_retry_horizon_s: float = 60.0
    seed_templates: bool = True
    seed_customers: bool = True
    seed: int | None = None
    # 2026: MARKETING templates refused on `/messages` with 131063 (send them to
    # `/marketing_messages`); users in these ISO countries cannot be messaged (130497).
    cloud_api_marketing_disabled: bool = False
    restricted_countries: tuple[str, ...] = ()
    # Additions beyond Meta's surface that tests need to keep fast and deterministic.
    webhook_retry_base_s: float = 0.5
    webhook_timeout_s: float = 10.0
    template_review_delay_s: float = 0.5
    verified_name: str = "Sandbox Business"
    # Flows (§8): where a Flow named `{flow}` sends its data exchanges (Meta keeps an
    # `endpoint_uri` per Flow; e.g. "http://127.0.0.1:8000/flows/{flow}"), and how long the
    # simulated client waits for an answer (Meta: about 10 s).
    flows_endpoint: str | None = None
    flows_timeout_s: float = 10.0
    # How long each Graph API answer takes: the round trip to a remote Meta (benchmarks size
    # connection pools with it; 0 answers at once).
    response_delay_s: float = 0.0

    def __post_init__(self) -> None:
        self.status_delays_s = tuple(float(d) for d in self.status_delays_s)  # type: ignore[assignment]
        self.open_window_for = tuple(self.open_window_for)
        self.restricted_countries = tuple(self.restricted_countries)
        self.check()

    def check(self) -> None:
        """Reject impossible settings early, where the mistake is made."""
        if not self.phone_numbers:
            raise ValueError("phone_numbers needs at least one phone-number id")
        if len(self.status_delays_s) != 3 or any(d < 0 for d in self.status_delays_s):
            raise ValueError("status_delays_s must be three non-negative numbers")
        if list(self.status_delays_s) != sorted(self.status_delays_s):
            raise ValueError("status_delays_s must be non-decreasing (sent, delivered, read)")
        if not 0.0 <= self.fault_rate <= 1.0:
            raise ValueError("fault_rate must be between 0 and 1")
        if self.fault_kind not in FAULT_KINDS:
            raise ValueError(f"fault_kind must be one of {sorted(FAULT_KINDS)}")
        if self.rate_limit_mps < 0 or self.pair_limit_burst < 0:
            raise ValueError("limits must be >= 0 (0 disables the limit)")
        if self.response_delay_s < 0:
            raise ValueError("response_delay_s must be >= 0")
        if self.flows_timeout_s <= 0:
            raise ValueError("flows_timeout_s must be > 0")
        if self.pair_limit_interval_s <= 0 or self.window_hours < 0:
            raise ValueError("pair_limit_interval_s must be > 0 and window_hours >= 0")
        for code in self.restricted_countries:
            if not isinstance(code, str) or len(code) != 2 or not code.isupper():
                raise ValueError("restricted_countries must be ISO alpha-2 codes like 'IR'")

    @property
    def default_phone_number_id(self) -> str:
        return next(iter(self.phone_numbers))

    def update(self, changes: dict[str, Any]) -> None:
        """Apply runtime knob changes atomically: all valid, or none applied."""
        for key, value in changes.items():
            expected = RUNTIME_KNOBS.get(key)
            if expected is None:
                raise ValueError(f"{key!r} cannot be changed at runtime")
            if isinstance(value, bool) and expected is not bool:
                raise ValueError(f"{key!r} has the wrong type")
            if not isinstance(value, expected):
                raise ValueError(f"{key!r} has the wrong type")
        previous = asdict(self)
        for key, value in changes.items():
            setattr(self, key, tuple(value) if key in _TUPLE_KNOBS else value)
        try:
            self.__post_init__()
        except ValueError:
            for key in changes:
                setattr(self, key, previous[key])
            raise

    def public(self) -> dict[str, Any]:
        """The config as JSON-friendly data (for `GET /_sandbox/config`)."""
        data = asdict(self)
        data["status_delays_s"] = list(self.status_delays_s)
        data["open_window_for"] = list(self.open_window_for)
        data["restricted_countries"] = list(self.restricted_countries)
        return data
