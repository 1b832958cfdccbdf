"""Outages of the services wagraph depends on (Redis, the database): telling one from a bug,
and saying so once.

A process that loses Redis or PostgreSQL keeps running and retries; what the operator needs
is one line when the outage starts and one when it ends, not a traceback per attempt. An
`Outage` is that pair of lines for one service, shared by whatever in the process talks to
it; `Backoff` paces the retries (doubling, capped).

`is_redis_outage` and `is_database_outage` classify an exception: only a connectivity
failure (refused, reset, timed out, the server shutting down or starting up) is an outage; a
constraint violation or a syntax error is a bug or a bad request and is raised as before.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

# PostgreSQL's SQLSTATE classes and codes that mean "the server is not there right now":
# 08 connection exception, 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect
# now (starting up or shutting down), 53300 too many connections.
_PG_OUTAGE_STATES = ("57P01", "57P02", "57P03", "53300")
_PG_OUTAGE_CLASS = "08"
# Errors (asyncpg's, Tortoise's) that always mean the server is not there, and those that
# mean it only when their message says the connection went away.
_ALWAYS_GONE = ("CannotConnectNowError", "ConnectionDoesNotExistError", "DBConnectionError")
_GONE_IF_SAID = ("InterfaceError", "InternalClientError")
_GONE_WORDS = (
    "connection is closed",
    "connection was closed",
    "the database system is shutting down",
    "the database system is starting up",
    "terminating connection",
    "connection refused",
    "connection reset",
)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and its causes (Tortoise wraps asyncpg's errors in its own)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def is_database_outage(exc: BaseException) -> bool:
    """True when `exc` says the database cannot be reached, not that a statement was wrong."""
    for error in _chain(exc):
        if isinstance(error, OSError | TimeoutError):  # refused, reset, unreachable, timed out
            return True
        state = getattr(error, "sqlstate", None)
        if isinstance(state, str) and (
            state in _PG_OUTAGE_STATES or state.startswith(_PG_OUTAGE_CLASS)
        ):
            return True
        name = type(error).__name__
        if name in _ALWAYS_GONE or (name in _GONE_IF_SAID and _says_gone(error)):
            return True
    return False


def _says_gone(error: BaseException) -> bool:
    text = str(error).lower()
    return any(words in text for words in _GONE_WORDS)


def is_redis_outage(exc: BaseException) -> bool:
    """True for redis-py's connection and timeout errors (a restart, a refused connection,
    Redis still loading its data), and the OS errors beneath them; not a refused password."""
    from redis import exceptions as redis_errors

    if isinstance(exc, redis_errors.AuthenticationError | redis_errors.AuthorizationError):
        return False  # a wrong password is a setting to fix, not an outage to wait out
    return any(
        isinstance(
            error, redis_errors.ConnectionError | redis_errors.TimeoutError | OSError | TimeoutError
        )
        for error in _chain(exc)
    )


class Outage:
    """One service's outage as this process sees it: `failed` logs its first line, `recovered`
    its last; attempts in between are silent (DEBUG)."""

    def __init__(
        self, what: str, where: str, log: logging.Logger, retry_every_s: float | None
    ) -> None:
        """`retry_every_s`: how often the process tries again (None: at its next use)."""
        self.what = what
        self.where = where
        self.log = log
        self.retry_every_s = retry_every_s
        self._since: float | None = None

    @property
    def down(self) -> bool:
        return self._since is not None

    @property
    def down_for_s(self) -> float:
        return 0.0 if self._since is None else time.monotonic() - self._since

    def failed(self, exc: BaseException, *, doing: str = "") -> bool:
        """Record a failed attempt; True (and one WARNING) when it starts an outage."""
        if self._since is not None:
            self.log.debug("%s still unreachable (%s)", self.what, exc)
            return False
        self._since = time.monotonic()
        retrying = (
            "trying again at the next one"
            if self.retry_every_s is None
            else f"retrying every ≤{self.retry_every_s:g}s"
        )
        self.log.warning(
            "%s at %s unreachable (%s)%s; %s",
            self.what,
            self.where,
            _describe(exc),
            f" while {doing}" if doing else "",
            retrying,
        )
        return True

    def recovered(self) -> bool:
        """Record a success; True (and one line) when it ends an outage."""
        if self._since is None:
            return False
        self.log.warning("%s is back after %.1fs", self.what, time.monotonic() - self._since)
        self._since = None
        return True


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class Backoff:
    """Delays between retries: `first`, doubling, at most `cap`; `reset` after a success."""

    def __init__(self, first: float, cap: float) -> None:
        self.first = min(first, cap)
        self.cap = cap
        self._next = self.first

    def next_delay(self) -> float:
        delay, self._next = self._next, min(self._next * 2, self.cap)
        return delay

    def reset(self) -> None:
        self._next = self.first


def redis_location(url: str) -> str:
    """redis://host:port/db without a password, for log lines."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.rpartition('@')[2]}"


def database_location(url: str) -> str:
    """The database URL without user or password, for log lines."""
    return redis_location(url)
