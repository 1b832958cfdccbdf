"""Simulated WhatsApp users: phone number, business-scoped user id (BSUID), username, consent.

Since 2026 every user has a BSUID (`CC.<alphanumerics>`, §11.2) scoped to the business portfolio,
optionally a parent BSUID (`CC.ENT.<…>`) and a username; a user with a username may hide their
phone number from the business, and webhooks then carry the BSUID only. The registry knows every
customer the sandbox has seen (any number written to or heard from becomes one, with a BSUID
derived deterministically from the number) plus the seeded demo customers below.

The internal `wa_id` is the customer's real number even when hidden: windows, pair limits and
chats are keyed by it, so a window opened by a username-only customer is found by their BSUID.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from typing import Any

BSUID_RE = re.compile(r"^[A-Z]{2}\.[A-Za-z0-9]{1,128}$")
PARENT_BSUID_RE = re.compile(r"^[A-Z]{2}\.ENT\.[A-Za-z0-9]{1,128}$")
USERNAME_RE = re.compile(r"^@?(?!www)(?!\.)(?!.*\.\.)(?=.*[A-Za-z])[A-Za-z0-9._]{3,35}(?<!\.)$")
WA_ID_RE = re.compile(r"^\d{7,15}$")
HIDDEN_AS = ("absent", "empty")  # how a hidden phone number appears: key left out, or ""
UNKNOWN_COUNTRY = "ZZ"

# Calling-code prefix -> ISO 3166 alpha-2, longest prefix wins (BSUIDs start with the country).
_CALLING_CODES: dict[str, str] = {
    "1": "US",
    "7": "RU",
    "20": "EG",
    "27": "ZA",
    "30": "GR",
    "31": "NL",
    "32": "BE",
    "33": "FR",
    "34": "ES",
    "36": "HU",
    "39": "IT",
    "40": "RO",
    "41": "CH",
    "43": "AT",
    "44": "GB",
    "45": "DK",
    "46": "SE",
    "47": "NO",
    "48": "PL",
    "49": "DE",
    "51": "PE",
    "52": "MX",
    "53": "CU",
    "54": "AR",
    "55": "BR",
    "56": "CL",
    "57": "CO",
    "58": "VE",
    "60": "MY",
    "61": "AU",
    "62": "ID",
    "63": "PH",
    "64": "NZ",
    "65": "SG",
    "66": "TH",
    "81": "JP",
    "82": "KR",
    "84": "VN",
    "86": "CN",
    "90": "TR",
    "91": "IN",
    "92": "PK",
    "98": "IR",
    "234": "NG",
    "254": "KE",
    "351": "PT",
    "353": "IE",
    "358": "FI",
    "380": "UA",
    "852": "HK",
    "880": "BD",
    "966": "SA",
    "971": "AE",
    "972": "IL",
}


def country_of(wa_id: str) -> str:
    """The ISO country of a phone number by its calling code (`ZZ` when not in the table)."""
    for length in (3, 2, 1):
        found = _CALLING_CODES.get(wa_id[:length])
        if found is not None:
            return found
    return UNKNOWN_COUNTRY


def _digits(salt: str, scope: str, wa_id: str) -> str:
    digest = hashlib.blake2b(f"{salt}:{scope}:{wa_id}".encode(), digest_size=10).digest()
    return "1" + f"{int.from_bytes(digest, 'big') % 10**19:019d}"


def derive_bsuid(scope: str, wa_id: str) -> str:
    """A stable BSUID for this number in this portfolio (`scope`): same inputs, same id."""
    return f"{country_of(wa_id)}.{_digits('bsuid', scope, wa_id)}"


def derive_parent_bsuid(scope: str, wa_id: str) -> str:
    return f"{country_of(wa_id)}.ENT.{_digits('parent', scope, wa_id)}"


def normalise_username(value: str) -> str:
    """Usernames travel with a leading `@` in webhooks (`@pablomorales`), whatever was given."""
    return value if value.startswith("@") else "@" + value


@dataclass(slots=True)
class Customer:
    """One WhatsApp user as the business's portfolio sees them."""

    wa_id: str
    user_id: str
    parent_user_id: str | None = None
    username: str | None = None
    profile_name: str | None = None
    hide_number: bool = False
    hidden_number_as: str = "absent"
    marketing_stopped: bool = False
    marketing_limited: bool = False  # Meta's per-user marketing cap: MARKETING fails with 131049

    @property
    def country(self) -> str:
        return self.user_id.split(".", 1)[0]

    @property
    def number_visible(self) -> bool:
        return not self.hide_number

    def shown_number(self) -> str | None:
        """The number as webhooks show it: the digits, `""`, or None (leave the key out)."""
        if self.number_visible:
            return self.wa_id
        return "" if self.hidden_number_as == "empty" else None

    def display_name(self) -> str:
        """Profile name; the default never leaks a hidden number."""
        if self.profile_name:
            return self.profile_name
        if self.number_visible:
            return f"Customer {self.wa_id[-4:]}"
        return f"Customer {self.user_id[-4:]}"

    def public(self) -> dict[str, Any]:
        return {
            "wa_id": self.wa_id,
            "user_id": self.user_id,
            "parent_user_id": self.parent_user_id,
            "username": self.username,
            "profile_name": self.profile_name,
            "hide_number": self.hide_number,
            "hidden_number_as": self.hidden_number_as,
            "marketing": "stop" if self.marketing_stopped else "resume",
            "marketing_limited": self.marketing_limited,
            "country": self.country,
        }


class CustomerError(ValueError):
    """A customer definition or identity change the registry cannot accept."""


class CustomerRegistry:
    """Customers by number, by BSUID or parent BSUID, and by username."""

    def __init__(self, scope: str) -> None:
        self.scope = scope
        self._by_wa_id: dict[str, Customer] = {}
        self._by_user_id: dict[str, Customer] = {}
        self._by_username: dict[str, Customer] = {}

    def __len__(self) -> int:
        return len(self._by_wa_id)

    def clear(self) -> None:
        self._by_wa_id.clear()
        self._by_user_id.clear()
        self._by_username.clear()

    def all(self) -> list[Customer]:
        return list(self._by_wa_id.values())

    def get(self, ref: str) -> Customer | None:
        """By number (digits), BSUID, parent BSUID or username (with or without `@`)."""
        if ref.isdigit():
            return self._by_wa_id.get(ref)
        if "." in ref and ref[:2].isupper():
            found = self._by_user_id.get(ref)
            if found is not None:
                return found
        return self._by_username.get(normalise_username(ref).lower())

    def by_wa_id(self, wa_id: str) -> Customer | None:
        return self._by_wa_id.get(wa_id)

    def get_or_create(self, wa_id: str) -> Customer:
        """Every number written to or heard from is a WhatsApp user with a derived BSUID."""
        found = self._by_wa_id.get(wa_id)
        if found is None:
            found = Customer(wa_id=wa_id, user_id=derive_bsuid(self.scope, wa_id))
            self._index(found)
        return found

    def put(self, customer: Customer) -> Customer:
        """Add or replace (by number); BSUIDs and usernames stay unique."""
        old = self._by_wa_id.get(customer.wa_id)
        self._check_unique(customer, old)
        if old is not None:
            self._unindex(old)
        self._index(customer)
        return customer

    def reidentify(self, customer: Customer, **changes: Any) -> Customer:
        """Change number and/or BSUIDs in place (the same person, new identifiers)."""
        updated = replace(customer, **changes)
        if updated.wa_id != customer.wa_id and updated.wa_id in self._by_wa_id:
            raise CustomerError(f"number {updated.wa_id} already belongs to another customer")
        self._check_unique(updated, customer)
        self._unindex(customer)
        for key, value in changes.items():
            setattr(customer, key, value)
        self._index(customer)
        return customer

    def _check_unique(self, customer: Customer, replacing: Customer | None) -> None:
        for user_id in (customer.user_id, customer.parent_user_id):
            owner = self._by_user_id.get(user_id) if user_id else None
            if owner is not None and owner is not replacing:
                raise CustomerError(f"{user_id} already belongs to customer {owner.wa_id}")
        if customer.username:
            owner = self._by_username.get(customer.username.lower())
            if owner is not None and owner is not replacing:
                raise CustomerError(f"{customer.username} already belongs to {owner.wa_id}")

    def _index(self, customer: Customer) -> None:
        self._by_wa_id[customer.wa_id] = customer
        self._by_user_id[customer.user_id] = customer
        if customer.parent_user_id:
            self._by_user_id[customer.parent_user_id] = customer
        if customer.username:
            self._by_username[customer.username.lower()] = customer

    def _unindex(self, customer: Customer) -> None:
        self._by_wa_id.pop(customer.wa_id, None)
        self._by_user_id.pop(customer.user_id, None)
        if customer.parent_user_id:
            self._by_user_id.pop(customer.parent_user_id, None)
        if customer.username:
            self._by_username.pop(customer.username.lower(), None)


CONFIG_FIELDS = frozenset(
    {
        "wa_id",
        "user_id",
        "parent_user_id",
        "username",
        "profile_name",
        "hide_number",
        "hidden_number_as",
        "marketing",
        "marketing_limited",
    }
)


def configure(
    registry: CustomerRegistry, spec: dict[str, Any], existing: Customer | None = None
) -> Customer:
    """Create (`wa_id` required) or update a customer from a control body; no webhook is sent.

    Identity fields change silently here (test setup); the change endpoints send Meta's
    webhooks. `parent_user_id: true` derives a parent BSUID.
    """
    unknown = sorted(set(spec) - CONFIG_FIELDS)
    if unknown:
        raise CustomerError(f"unknown customer fields {unknown}; known: {sorted(CONFIG_FIELDS)}")
    base = existing
    if base is None:
        wa_id = spec.get("wa_id")
        if not isinstance(wa_id, str) or not WA_ID_RE.fullmatch(wa_id):
            raise CustomerError("wa_id (the real phone number, 7-15 digits) is required")
        base = registry.by_wa_id(wa_id) or Customer(wa_id, derive_bsuid(registry.scope, wa_id))
    elif spec.get("wa_id", base.wa_id) != base.wa_id:
        raise CustomerError("a number changes with POST /_sandbox/customers/{ref}/change-number")
    changes = _changes(registry.scope, base, spec)
    merged = replace(base, **changes)
    if merged.hide_number and not merged.username:
        raise CustomerError("only a customer with a username can hide their number")
    if registry.by_wa_id(base.wa_id) is base:
        return registry.reidentify(base, **changes)
    return registry.put(merged)


def _changes(scope: str, base: Customer, spec: dict[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if "user_id" in spec:
        changes["user_id"] = check_bsuid(spec["user_id"])
    if "parent_user_id" in spec:
        parent = spec["parent_user_id"]
        if parent is True:
            parent = derive_parent_bsuid(scope, base.wa_id)
        changes["parent_user_id"] = None if parent is None else check_parent_bsuid(parent)
    if "username" in spec:
        username = spec["username"]
        if username is not None and (
            not isinstance(username, str) or not USERNAME_RE.fullmatch(username)
        ):
            raise CustomerError("username: 3-35 of a-z 0-9 . _ with a letter (e.g. @ana.souza)")
        changes["username"] = None if username is None else normalise_username(username)
    if "profile_name" in spec:
        if spec["profile_name"] is not None and not isinstance(spec["profile_name"], str):
            raise CustomerError("profile_name must be a string")
        changes["profile_name"] = spec["profile_name"]
    for key in ("hide_number", "marketing_limited"):
        if key in spec:
            if not isinstance(spec[key], bool):
                raise CustomerError(f"{key} must be true or false")
            changes[key] = spec[key]
    if "hidden_number_as" in spec:
        if spec["hidden_number_as"] not in HIDDEN_AS:
            raise CustomerError(f"hidden_number_as must be one of {list(HIDDEN_AS)}")
        changes["hidden_number_as"] = spec["hidden_number_as"]
    if "marketing" in spec:
        if spec["marketing"] not in ("stop", "resume"):
            raise CustomerError('marketing must be "stop" or "resume"')
        changes["marketing_stopped"] = spec["marketing"] == "stop"
    return changes


def check_bsuid(value: Any) -> str:
    if not isinstance(value, str) or not BSUID_RE.fullmatch(value):
        raise CustomerError(f"{value!r} is not a BSUID like US.13491208655302741918")
    return value


def check_parent_bsuid(value: Any) -> str:
    if not isinstance(value, str) or not PARENT_BSUID_RE.fullmatch(value):
        raise CustomerError(f"{value!r} is not a parent BSUID like US.ENT.11815799212886844830")
    return value
