"""A value longer than its column: Tortoise's refusal, recognised in one place.

Tortoise checks a CharField's `max_length` whenever a value is turned into a database value —
in a filter as well as on a write — and raises its `ValidationError`. For a lookup that means
"no row can match", for a write "too long": the GraphQL edge (`schema.validation`) decides
which, for every field at once, instead of each resolver catching it.
"""

from __future__ import annotations

import re

from tortoise.exceptions import ValidationError

_TOO_LONG = re.compile(r"Length of '.*' (\d+) > (\d+)\Z", re.DOTALL)


def column_max_length(exc: BaseException) -> int | None:
    """The column's `max_length` when `exc` is Tortoise refusing a longer value, else None."""
    if not isinstance(exc, ValidationError):
        return None
    match = _TOO_LONG.search(str(exc))
    return int(match.group(2)) if match else None
