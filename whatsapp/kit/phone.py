"""Phone numbers -> WhatsApp IDs (`wa_id`): the digits Meta uses for `to` and webhook `from`."""

from __future__ import annotations

from whatsapp.kit.errors import ErrorCode, WagraphError

WA_ID_MIN_DIGITS = 7
WA_ID_MAX_DIGITS = 15  # E.164 maximum

# What people type around the digits; Meta tolerates these in `to`, and so do we.
_PUNCTUATION = str.maketrans("", "", "+-().")
_INTERNATIONAL_PREFIX = "00"


def normalize_wa_id(raw: str) -> str:
    """Normalise a number as typed (`+1 (555) 123-4567`, `0044 20 …`) to a wa_id.

    Raises INVALID_RECIPIENT on field `to`, so a client hears about it before Meta is called.
    """
    digits = wa_id_digits(raw)
    if digits is None:
        raise WagraphError.of(ErrorCode.INVALID_RECIPIENT, _problem(raw), ("to",))
    return digits


def wa_id_digits(raw: object) -> str | None:
    """The wa_id for `raw`, or None if it is not one: the form for callers collecting problems."""
    if not isinstance(raw, str):
        return None
    digits = _strip(raw)
    # isascii() as well: str.isdigit() accepts other scripts' digits, which Meta does not.
    if digits.isascii() and digits.isdigit() and _plausible_length(digits):
        return digits
    return None


def _strip(raw: str) -> str:
    text = "".join(raw.split()).translate(_PUNCTUATION)
    return text.removeprefix(_INTERNATIONAL_PREFIX)


def _plausible_length(digits: str) -> bool:
    return WA_ID_MIN_DIGITS <= len(digits) <= WA_ID_MAX_DIGITS


def _problem(raw: object) -> str:
    """Why `raw` is not a usable number, in words a client can act on."""
    if not isinstance(raw, str):
        return "Phone number is required" if raw is None else "Phone number must be a string"
    digits = _strip(raw)
    if not digits:
        return "Phone number is required"
    if not (digits.isascii() and digits.isdigit()):
        return f"Phone number may contain only digits, spaces and + - ( ) . (got {raw!r})"
    return (
        f"Phone number must have {WA_ID_MIN_DIGITS}-{WA_ID_MAX_DIGITS} digits in "
        f"international format, e.g. +15551234567 (got {len(digits)})"
    )
