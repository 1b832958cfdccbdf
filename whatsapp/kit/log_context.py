"""The ids that follow a piece of work through its log lines: a request's, a scheduled
message's, an inbox delivery's, an automation run's.

They live in contextvars (structlog's, which the log formatter merges into every line, the
standard library's `logging` calls included), so a function deep in the core logs with the
id of the request or job that led to it without being handed it. Each asyncio task copies
the context it was created in: ids bound inside one message's task never leak into another's.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

from structlog.contextvars import bound_contextvars, get_contextvars

REQUEST_ID = "request_id"
MESSAGE_ID = "message_id"
WEBHOOK_DELIVERY_ID = "webhook_delivery_id"
AUTOMATION_RUN_ID = "automation_run_id"


@contextmanager
def bound(**ids: object) -> Iterator[None]:
    """Bind ids (as text) for the lines logged inside the block, then restore what was there;
    an id given as None is unset inside the block (structlog skips an Ellipsis value)."""
    values = {name: ... if value is None else str(value) for name, value in ids.items()}
    with bound_contextvars(**values):
        yield


# Request ids of acknowledged webhook POSTs, for their processing (another task, later).
_handed_over: OrderedDict[object, str] = OrderedDict()
MAX_HANDED_OVER = 10_000


def hand_over(key: object) -> None:
    """Keep the current request id for the work `key` names, done later by another task."""
    request_id = current(REQUEST_ID)
    if request_id is None:
        return
    _handed_over[key] = request_id
    while len(_handed_over) > MAX_HANDED_OVER:
        _handed_over.popitem(last=False)


def take_over(key: object) -> str | None:
    """The request id `hand_over` kept for `key` (once), or None."""
    return _handed_over.pop(key, None) if _handed_over else None


def current(name: str) -> str | None:
    """The id bound under `name` here, if any."""
    value = get_contextvars().get(name)
    return None if value is None else str(value)
