"""Account and phone-number events Meta announces to the WABA (§11.8; webhook references).

`POST /_sandbox/account/events {"field": F, …}` posts one change of `F` whose value is built
from realistic defaults and overridden key by key by the body (unknown keys are refused, so a
typo is a 400; anything else goes through `/_sandbox/webhooks/raw`). These values are WABA
level: no `metadata`, and `entry[].time` is set.

- `account_update`: `event` (default VERIFIED_ACCOUNT) with the info block Meta adds to it —
  `ban_info`, `violation_info`, `restriction_info`, `waba_info`, `volume_tier_info`,
  `auth_international_rate_eligibility`, `partner_client_certification_info`, `country`;
- `account_review_update`: `decision`;
- `phone_number_quality_update`: `event`, `current_limit`, `old_limit` (up/downgrades),
  `max_daily_conversations_per_business`, optionally a quality rating;
- `phone_number_name_update`: `decision`, `requested_verified_name`, `rejection_reason`;
- `business_capability_update`: the messaging and phone-number limits.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox import payloads
from sandbox.state import Sandbox

Builder = Callable[[Sandbox, str, dict[str, Any]], dict[str, Any]]
OWNER_BUSINESS_ID = "942647313864044"
DAY = 86400


class AccountEventError(ValueError):
    """An account event the sandbox cannot build as asked (400)."""


def _date(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def _account_info(sb: Sandbox, event: str) -> dict[str, Any]:
    """The info block Meta's reference shows for each `account_update` event."""
    now = sb.now()
    day = _date(now)
    waba = {"waba_id": sb.config.waba_id, "owner_business_id": OWNER_BUSINESS_ID}
    blocks: dict[str, dict[str, Any]] = {
        "DISABLED_UPDATE": {
            "ban_info": {
                "waba_ban_state": "DISABLE",
                "waba_ban_date": f"{day:%B} {day.day}, {day.year}",
            }
        },
        "ACCOUNT_VIOLATION": {"violation_info": {"violation_type": "ADULT"}},
        "ACCOUNT_RESTRICTION": {
            "restriction_info": [
                {
                    "restriction_type": "RESTRICTED_BIZ_INITIATED_MESSAGING",
                    "expiration": f"{day + timedelta(days=7):%Y-%m-%dT%H:%M:%S}+0000",
                }
            ]
        },
        "PARTNER_ADDED": {"waba_info": waba},
        "PARTNER_REMOVED": {"waba_info": waba},
        "PARTNER_APP_INSTALLED": {"waba_info": {**waba, "partner_app_id": "5731794616896507"}},
        "PARTNER_APP_UNINSTALLED": {"waba_info": {**waba, "partner_app_id": "5731794616896507"}},
        "MM_LITE_TERMS_SIGNED": {"waba_info": waba},
        "AD_ACCOUNT_LINKED": {"waba_info": {**waba, "ad_account_linked": "980198427534243"}},
        "VOLUME_BASED_PRICING_TIER_UPDATE": {
            "volume_tier_info": {
                "tier_update_time": int(now),
                "pricing_category": "UTILITY",
                "tier": "25000001:50000000",
                "effective_month": f"{day + timedelta(days=31):%Y-%m}",
                "region": "INDIA",
            }
        },
        "AUTH_INTL_PRICE_ELIGIBILITY_UPDATE": {
            "auth_international_rate_eligibility": {
                "exception_countries": [
                    {"country_code": "ID", "start_time": int(now) + 60 * 86400}
                ],
                "start_time": int(now) + 30 * 86400,
            }
        },
        "BUSINESS_PRIMARY_LOCATION_COUNTRY_UPDATE": {"country": "US"},
        "PARTNER_CLIENT_CERTIFICATION_STATUS_UPDATE": {
            "partner_client_certification_info": {
                "client_business_id": OWNER_BUSINESS_ID,
                "status": "APPROVED",
                "rejection_reasons": ["NONE"],
            }
        },
    }
    return blocks.get(event, {})


ACCOUNT_EVENTS = (
    "VERIFIED_ACCOUNT",
    "DISABLED_UPDATE",
    "ACCOUNT_VIOLATION",
    "ACCOUNT_RESTRICTION",
    "ACCOUNT_DELETED",
    "PARTNER_ADDED",
    "PARTNER_REMOVED",
    "PARTNER_APP_INSTALLED",
    "PARTNER_APP_UNINSTALLED",
    "MM_LITE_TERMS_SIGNED",
    "AD_ACCOUNT_LINKED",
    "VOLUME_BASED_PRICING_TIER_UPDATE",
    "AUTH_INTL_PRICE_ELIGIBILITY_UPDATE",
    "BUSINESS_PRIMARY_LOCATION_COUNTRY_UPDATE",
    "PARTNER_CLIENT_CERTIFICATION_STATUS_UPDATE",
)
OBJ, ARR, STR, INT, NULL = dict, list, str, int, type(None)
# Per field: the keys a body may set, with their JSON types.
KEYS: dict[str, dict[str, tuple[type, ...]]] = {
    "account_update": {
        "event": (STR,),
        "phone_number": (STR,),
        "ban_info": (OBJ,),
        "violation_info": (OBJ,),
        "restriction_info": (ARR,),
        "waba_info": (OBJ,),
        "volume_tier_info": (OBJ,),
        "auth_international_rate_eligibility": (OBJ,),
        "partner_client_certification_info": (OBJ,),
        "country": (STR,),
    },
    "account_review_update": {"decision": (STR,)},
    "phone_number_quality_update": {
        "event": (STR,),
        "display_phone_number": (STR,),
        "current_limit": (STR,),
        "old_limit": (STR,),
        "max_daily_conversations_per_business": (STR, INT),
        "whatsapp_business_manager_messaging_limit": (STR,),
        "quality_rating": (STR,),
        "current_quality_rating": (STR,),
    },
    "phone_number_name_update": {
        "display_phone_number": (STR,),
        "decision": (STR,),
        "requested_verified_name": (STR,),
        "rejection_reason": (STR, NULL),
    },
    "business_capability_update": {
        "max_daily_conversation_per_phone": (INT,),
        "max_daily_conversations_per_business": (INT, STR),
        "max_phone_numbers_per_business": (INT,),
        "max_phone_numbers_per_waba": (INT,),
    },
}
CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("account_update", "event"): ACCOUNT_EVENTS,
    ("account_review_update", "decision"): ("APPROVED", "REJECTED", "PENDING", "DEFERRED"),
    ("phone_number_quality_update", "event"): (
        "FLAGGED",
        "UNFLAGGED",
        "UPGRADE",
        "DOWNGRADE",
        "ONBOARDING",
        "THROUGHPUT_UPGRADE",
    ),
    ("phone_number_name_update", "decision"): ("APPROVED", "REJECTED", "DEFERRED", "PENDING"),
}
QUALITY_LIMITS = {  # event -> (old_limit or None, current_limit)
    "FLAGGED": (None, "TIER_2K"),
    "UNFLAGGED": (None, "TIER_2K"),
    "UPGRADE": ("TIER_2K", "TIER_10K"),
    "DOWNGRADE": ("TIER_10K", "TIER_2K"),
    "ONBOARDING": (None, "TIER_250"),
    "THROUGHPUT_UPGRADE": (None, "TIER_10K"),
}


def _account_update(sb: Sandbox, pnid: str, spec: dict[str, Any]) -> dict[str, Any]:
    event = spec.get("event", "VERIFIED_ACCOUNT")
    value: dict[str, Any] = {}
    if event == "VERIFIED_ACCOUNT":
        value["phone_number"] = sb.display_number(pnid)
    value["event"] = event
    value.update(_account_info(sb, event))
    return value


def _review(sb: Sandbox, pnid: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {"decision": "APPROVED"}


def _quality(sb: Sandbox, pnid: str, spec: dict[str, Any]) -> dict[str, Any]:
    event = spec.get("event", "FLAGGED")
    old, current = QUALITY_LIMITS.get(event, (None, "TIER_2K"))
    value: dict[str, Any] = {"display_phone_number": sb.display_number(pnid), "event": event}
    value["current_limit"] = current
    if old is not None:
        value["old_limit"] = old
    value["max_daily_conversations_per_business"] = current
    return value


def _name(sb: Sandbox, pnid: str, spec: dict[str, Any]) -> dict[str, Any]:
    decision = spec.get("decision", "APPROVED")
    return {
        "display_phone_number": sb.display_number(pnid),
        "decision": decision,
        "requested_verified_name": sb.config.verified_name,
        "rejection_reason": "INCLUDES_UNSUPPORTED_CHARACTERS" if decision == "REJECTED" else None,
    }


def _capability(sb: Sandbox, pnid: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "max_daily_conversation_per_phone": 2000,
        "max_daily_conversations_per_business": 2000,
        "max_phone_numbers_per_business": 2,
    }


BUILDERS: dict[str, Builder] = {
    "account_update": _account_update,
    "account_review_update": _review,
    "phone_number_quality_update": _quality,
    "phone_number_name_update": _name,
    "business_capability_update": _capability,
}


def post(sb: Sandbox, pnid: str, body: dict[str, Any]) -> dict[str, Any]:
    """Build `body["field"]`'s value (defaults, then the body's keys) and post it signed."""
    field = body.get("field")
    if not isinstance(field, str) or field not in BUILDERS:
        raise AccountEventError(f"field must be one of {sorted(BUILDERS)}")
    spec = {k: v for k, v in body.items() if k not in ("field", "phone_number_id")}
    _check(field, spec)
    value = BUILDERS[field](sb, pnid, spec)
    value.update(spec)
    payload = payloads.envelope(sb.config.waba_id, field, value, time=int(sb.now()))
    return {"payload": sb.post(payload)}


def _check(field: str, spec: dict[str, Any]) -> None:
    allowed = KEYS[field]
    for key, item in spec.items():
        types = allowed.get(key)
        if types is None:
            raise AccountEventError(f"{field} has no key {key!r}; known: {sorted(allowed)}")
        if isinstance(item, bool) or not isinstance(item, types):
            names = "/".join("null" if t is NULL else t.__name__ for t in types)
            raise AccountEventError(f"{key} must be {names}")
        choices = CHOICES.get((field, key))
        if choices is not None and item not in choices:
            raise AccountEventError(f"{key} must be one of {list(choices)}")
