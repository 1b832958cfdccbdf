"""When a key expires, from what an operator types: `90d`, `12h`, `30m`, `2w`, `3600s`."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from whatsapp.kit.clock import utcnow
from whatsapp.kit.errors import invalid

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DURATION = re.compile(r"(\d{1,7})([smhdw])")


def expires_in(text: str, field: str = "expiresIn", *, now: datetime | None = None) -> datetime:
    """The moment `text` from now; INVALID_INPUT at `field` for anything else."""
    match = _DURATION.fullmatch(text.strip().lower())
    if match is None or int(match.group(1)) == 0:
        raise invalid("a duration such as 90d, 12h, 30m, 2w or 3600s", field)
    seconds = int(match.group(1)) * _UNITS[match.group(2)]
    return (now or utcnow()) + timedelta(seconds=seconds)
