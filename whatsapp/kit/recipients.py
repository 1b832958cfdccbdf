"""Who a message is for: a phone number (`wa_id`) or a business-scoped user id (BSUID).

Since 2026 Meta identifies WhatsApp users by a BSUID, `CC.<up to 128 letters and digits>`
(`US.13491208655302741918`), scoped to one business portfolio; a parent BSUID `CC.ENT.<…>`
spans the portfolio's linked businesses and names no recipient. A send goes to a BSUID in the
top-level `recipient` field instead of `to` (reference §11.2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from whatsapp.kit.errors import ErrorCode, WagraphError
from whatsapp.kit.phone import normalize_wa_id

BSUID = re.compile(r"[A-Z]{2}\.[A-Za-z0-9]{1,128}")
PARENT_BSUID = re.compile(r"[A-Z]{2}\.ENT\.[A-Za-z0-9]{1,128}")

RecipientField = Literal["to", "recipient"]


def is_bsuid(value: object) -> bool:
    """A business-scoped user id that can receive messages (not a parent BSUID)."""
    return isinstance(value, str) and BSUID.fullmatch(value) is not None


def is_parent_bsuid(value: object) -> bool:
    return isinstance(value, str) and PARENT_BSUID.fullmatch(value) is not None


@dataclass(frozen=True, slots=True)
class Recipient:
    """Exactly one of the two: a phone number's wa_id, or a BSUID."""

    wa_id: str | None = None
    bsuid: str | None = None

    @property
    def address(self) -> str:
        return self.bsuid or self.wa_id or ""

    @property
    def field(self) -> RecipientField:
        """Where the Graph API wants it: `recipient` for a BSUID, `to` for a number."""
        return "recipient" if self.bsuid else "to"


def parse_recipient(raw: object, *field: str) -> Recipient:
    """A send's `to` as given: a BSUID (recognised by its `CC.` shape) or a phone number.

    Raises INVALID_RECIPIENT on `field` (default `to`) for anything else, a parent BSUID
    included, so a client hears about it before Meta is called.
    """
    path = field or ("to",)
    text = raw.strip() if isinstance(raw, str) else raw
    if is_parent_bsuid(text):
        raise WagraphError.of(
            ErrorCode.INVALID_RECIPIENT,
            "A parent BSUID (CC.ENT.…) spans a business portfolio and cannot receive "
            "messages: send to the customer's business-scoped user id (CC.…) or number",
            path,
        )
    if is_bsuid(text):
        return Recipient(bsuid=str(text))
    try:
        return Recipient(wa_id=normalize_wa_id(raw))  # type: ignore[arg-type]
    except WagraphError as error:
        problem = error.problems[0]
        message = f"{problem.message}; or give a business-scoped user id such as US.1349…"
        raise WagraphError.of(ErrorCode.INVALID_RECIPIENT, message, path) from None
