"""`Authorization: Bearer <token>`: read once here for every door that takes a token (API keys
on GraphQL, the metrics token on the server and on a worker's metrics port)."""

from __future__ import annotations

import hmac


def bearer(value: str | None) -> str | None:
    """The token of a `Bearer` header value (any case), or None."""
    if value and value[:7].lower() == "bearer ":
        return value[7:].strip()
    return None


def presents(header: str | None, expected: bytes) -> bool:
    """Whether the header carries exactly `expected` (compared in constant time)."""
    return hmac.compare_digest((bearer(header) or "").encode(), expected)
