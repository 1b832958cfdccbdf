"""The answer of a webhook face while the database cannot be reached."""

from __future__ import annotations

from starlette.responses import PlainTextResponse


def database_unavailable(retry_after_s: int) -> PlainTextResponse:
    """503 with Retry-After: nothing was stored, so the sender (Meta, or WhatsApp for a Flow)
    retries, and nothing is lost."""
    return PlainTextResponse(
        "The database is unavailable; retry shortly.",
        status_code=503,
        headers={"Retry-After": str(retry_after_s)},
    )
