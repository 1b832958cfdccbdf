"""What each account and number webhook says, read into the change of state it makes and the
event automations see. Pure functions of Meta's value: nothing here touches the database.

Shapes (reference §11.8, §11.9): `account_update` (an `event` with ban, violation, restriction
or volume-tier details), `account_review_update` (`decision`), `phone_number_quality_update`
(`event`, limits, and in newer payloads a rating), `phone_number_name_update` (the display
name's review), `business_capability_update` (limits).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

ACCOUNT_UPDATE = "account_update"
REVIEW_UPDATE = "account_review_update"
QUALITY_UPDATE = "phone_number_quality_update"
NAME_UPDATE = "phone_number_name_update"
CAPABILITY_UPDATE = "business_capability_update"

ACCOUNT, NUMBER = "account", "number"
# A quality event that names no rating still says one: flagged numbers are rated RED.
RATING_OF_EVENT = {"FLAGGED": "RED", "UNFLAGGED": "GREEN"}
RATINGS = frozenset({"GREEN", "YELLOW", "RED", "UNKNOWN", "NA"})


@dataclass(frozen=True, slots=True)
class Update:
    """The row one webhook changes (the account by its id, or a number as displayed), the
    columns it sets, and its event. `previous` names event properties that report a column's
    value before the change (`previousRating` ← `quality_rating`)."""

    target: str  # ACCOUNT or NUMBER
    key: str
    changes: dict[str, Any]
    event: str
    properties: dict[str, Any]
    previous: dict[str, str] = field(default_factory=dict)


def read(waba_id: str, name: str, value: Mapping[str, Any]) -> Update:
    """The update a field's value makes; raises on a shape that cannot be read."""
    return READERS[name](waba_id, value)


def _account_update(waba_id: str, value: Mapping[str, Any]) -> Update:
    event = _upper(value["event"])
    changes: dict[str, Any] = {"last_account_event": _short(event, 64)}
    properties: dict[str, Any] = {
        "event": event,
        "phoneNumber": _optional(value.get("phone_number")),
    }
    ban = _mapping(value.get("ban_info"), "ban_info")
    if ban:
        changes["ban_state"] = _short(_optional(ban.get("waba_ban_state")), 64)
        changes["ban_date"] = _short(_optional(ban.get("waba_ban_date")), 64)
        properties["ban"] = {"state": changes["ban_state"], "date": changes["ban_date"]}
    violation = _mapping(value.get("violation_info"), "violation_info")
    if violation:
        changes["violation_type"] = _short(_optional(violation.get("violation_type")), 128)
        properties["violationType"] = changes["violation_type"]
    restrictions = value.get("restriction_info")
    if restrictions is not None:
        if isinstance(restrictions, Mapping):
            restrictions = [restrictions]
        if not isinstance(restrictions, list):
            raise TypeError("restriction_info is neither a list nor an object")
        changes["restrictions"] = list(restrictions)
        properties["restrictions"] = list(restrictions)
    tier = _mapping(value.get("volume_tier_info"), "volume_tier_info")
    if tier:
        changes["pricing_tier"] = dict(tier)
        properties["volumeTier"] = dict(tier)
    return Update(ACCOUNT, _key(waba_id), changes, "account.updated", properties)


def _review_update(waba_id: str, value: Mapping[str, Any]) -> Update:
    decision = _short(_upper(value["decision"]), 32)
    return Update(
        ACCOUNT,
        _key(waba_id),
        {"review_decision": decision},
        "account.review_updated",
        {"decision": decision},
    )


def _quality_update(waba_id: str, value: Mapping[str, Any]) -> Update:
    number = _text(value["display_phone_number"])
    event = _upper(value["event"])
    rating = _rating(value, event)
    limit = _limit(value)
    changes: dict[str, Any] = {"quality_event": _short(event, 32)}
    if rating is not None:
        changes["quality_rating"] = rating
    if limit is not None:
        changes["messaging_limit"] = _short(limit, 64)
    if waba_id:
        changes["waba_id"] = waba_id
    properties = {
        "displayPhoneNumber": number,
        "event": event,
        "qualityRating": rating,
        "currentLimit": limit,
        "oldLimit": _optional(value.get("old_limit")),
    }
    previous = {"previousRating": "quality_rating"}
    return Update(NUMBER, number, changes, "phone_number.quality_updated", properties, previous)


def _name_update(waba_id: str, value: Mapping[str, Any]) -> Update:
    number = _text(value["display_phone_number"])
    decision = _short(_upper(value["decision"]), 32)
    name = _short(_optional(value.get("requested_verified_name")), 256)
    reason = _short(_optional(value.get("rejection_reason")), 256)
    changes: dict[str, Any] = {
        "name_decision": decision,
        "requested_name": name,
        "name_rejection_reason": reason,
    }
    if waba_id:
        changes["waba_id"] = waba_id
    properties = {
        "displayPhoneNumber": number,
        "decision": decision,
        "requestedName": name,
        "rejectionReason": reason,
    }
    return Update(NUMBER, number, changes, "phone_number.name_updated", properties)


def _capability_update(waba_id: str, value: Mapping[str, Any]) -> Update:
    capabilities = {key: item for key, item in value.items() if key != "messaging_product"}
    if not capabilities:
        raise ValueError("a business_capability_update without any capability")
    return Update(
        ACCOUNT,
        _key(waba_id),
        {"capabilities": capabilities},
        "account.capability_updated",
        {"capabilities": capabilities},
    )


READERS: dict[str, Callable[[str, Mapping[str, Any]], Update]] = {
    ACCOUNT_UPDATE: _account_update,
    REVIEW_UPDATE: _review_update,
    QUALITY_UPDATE: _quality_update,
    NAME_UPDATE: _name_update,
    CAPABILITY_UPDATE: _capability_update,
}


def _rating(value: Mapping[str, Any], event: str) -> str | None:
    """The number's rating: as Meta states it (newer payloads), else as the event implies."""
    for name in ("quality_rating", "current_quality_rating"):
        stated = value.get(name)
        if stated is not None:
            rating = _upper(stated)
            if rating not in RATINGS:
                raise ValueError(f"{name} {rating!r} is not a quality rating")
            return rating
    return RATING_OF_EVENT.get(event)


def _limit(value: Mapping[str, Any]) -> str | None:
    """The messaging limit now: `current_limit`, or the portfolio-wide one of newer payloads."""
    for name in ("current_limit", "whatsapp_business_manager_messaging_limit"):
        found = value.get(name)
        if isinstance(found, Mapping):  # accept an object carrying the tier as well
            found = found.get("current_limit") or found.get("tier") or found.get("limit")
        if found not in (None, ""):
            return str(found)
    return None


def _key(waba_id: str) -> str:
    if not waba_id:
        raise ValueError("an account webhook without the business account's id (entry.id)")
    return waba_id


def _mapping(value: Any, name: str) -> Mapping[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} is not an object")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
        raise ValueError(f"expected a non-empty string, got {value!r}")
    return str(value).strip()


def _upper(value: Any) -> str:
    return _text(value).upper()


def _optional(value: Any) -> str | None:
    return None if value in (None, "") else _text(value)


def _short(value: str | None, length: int) -> str | None:
    """Within the column: Meta's words are kept whole in the event and the row's details."""
    return None if value is None else value[:length]
