"""The customers a fresh sandbox knows, with fixed BSUIDs so tests and demos may name them.

Every kind of 2026 identity appears once: a plain visible number, two username-only customers
whose number is hidden (one rendered as an absent key, one as `""`), a username with a visible
number, and two customers whose marketing messages fail (stopped: 131050, capped: 131049).
Any other number gets a BSUID derived from it on first sight.
"""

from __future__ import annotations

from sandbox.customers import Customer

# Fixed ids tests may import (`from sandbox.customer_seed import PABLO_BSUID`).
DEMO_CUSTOMER = "15551234567"
DEMO_BSUID = "US.13491208655302741918"
PABLO_NUMBER = "15550101001"  # hidden: keys left out
PABLO_BSUID = "US.18402957316640219381"
PABLO_PARENT_BSUID = "US.ENT.11815799212886844830"
PABLO_USERNAME = "@pablomorales"
SHEENA_NUMBER = "447700900456"  # hidden: empty strings
SHEENA_BSUID = "GB.15829371046618203957"
SHEENA_USERNAME = "@sheena.nelson"
ANA_NUMBER = "5511987654321"  # a username, number still shown
ANA_BSUID = "BR.17730261948852016634"
STOPPED_NUMBER = "15550102002"  # pressed Stop: MARKETING fails with 131050
STOPPED_BSUID = "US.10293847561029384756"
CAPPED_NUMBER = "15550103003"  # per-user marketing cap: MARKETING fails with 131049
CAPPED_BSUID = "US.15647382910564738291"


def seed_customers() -> list[Customer]:
    """Fresh copies (callers mutate them)."""
    return [
        # The demo customer (window always open): a visible number, Meta's example BSUID.
        Customer(wa_id=DEMO_CUSTOMER, user_id=DEMO_BSUID),
        # Username-only, number hidden (keys left out), with a parent BSUID.
        Customer(
            wa_id=PABLO_NUMBER,
            user_id=PABLO_BSUID,
            parent_user_id=PABLO_PARENT_BSUID,
            username=PABLO_USERNAME,
            profile_name="Pablo M.",
            hide_number=True,
            hidden_number_as="absent",
        ),
        # Username-only, number hidden (rendered as empty strings).
        Customer(
            wa_id=SHEENA_NUMBER,
            user_id=SHEENA_BSUID,
            username=SHEENA_USERNAME,
            profile_name="Sheena Nelson",
            hide_number=True,
            hidden_number_as="empty",
        ),
        # A username, but the number is still shared (e.g. in the business's contact book).
        Customer(
            wa_id=ANA_NUMBER,
            user_id=ANA_BSUID,
            username="@ana.souza",
            profile_name="Ana Souza",
        ),
        # Pressed Stop on marketing: MARKETING templates fail later with 131050.
        Customer(
            wa_id=STOPPED_NUMBER,
            user_id=STOPPED_BSUID,
            profile_name="Marta Ruiz",
            marketing_stopped=True,
        ),
        # Hit Meta's per-user marketing cap: MARKETING templates fail later with 131049.
        Customer(
            wa_id=CAPPED_NUMBER,
            user_id=CAPPED_BSUID,
            profile_name="Leo Park",
            marketing_limited=True,
        ),
    ]
