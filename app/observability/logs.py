"""Logging, set up once per process: structlog over the standard library, so every
`logging.getLogger(...)` call keeps working and its lines get the same shape.

- `json`: one JSON object a line (production's default): `timestamp`, `level`, `logger`,
  `event`, the ids bound for the work (`request_id`, `message_id`, `webhook_delivery_id`,
  `automation_run_id`) and, for an exception, its traceback as one string.
- `console`: a readable line with the same fields (development's default).

Secrets never reach a line: the values of every secret setting are replaced before a line is
written, whatever logged them (defence in depth: nothing should log them in the first place).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from typing import IO, Literal
from urllib.parse import urlsplit

import structlog
from pydantic import BaseModel, SecretStr

LogFormat = Literal["console", "json"]
REDACTED = "[redacted]"
# Shorter values (a test's "x") would redact ordinary words.
MIN_SECRET_LENGTH = 8
# Loggers that say too much for an operator: a line per HTTP request (httpx), and two per arq
# job (an idle worker's periodic sweeps alone made ~130 INFO lines a minute); their warnings and
# failures still show. At DEBUG arq speaks again.
QUIET = {"httpx": logging.WARNING, "httpcore": logging.WARNING}
QUIET_UNLESS_DEBUG = {"arq.worker": logging.WARNING, "arq.jobs": logging.WARNING}

_SHARED: list[structlog.typing.Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


class _Redacting(logging.Formatter):
    """The rendered line, with any secret value replaced."""

    def __init__(self, inner: logging.Formatter, secrets: Iterable[str]) -> None:
        super().__init__()
        self.inner = inner
        self.secrets = sorted({s for s in secrets if len(s) >= MIN_SECRET_LENGTH}, key=len)[::-1]

    def format(self, record: logging.LogRecord) -> str:
        line = self.inner.format(record)
        for secret in self.secrets:
            if secret in line:
                line = line.replace(secret, REDACTED)
        return line


def configure_logging(
    level: str | int = "INFO",
    *,
    log_format: LogFormat = "console",
    stream: IO[str] | None = None,
    secrets: Iterable[str] = (),
) -> logging.Handler:
    """Route every log line through one handler on the root logger (replacing the one a
    previous call installed) and return it."""
    stream = stream or sys.stderr
    renderer: structlog.typing.Processor
    if log_format == "json":
        renderer = structlog.processors.JSONRenderer()
        tail: list[structlog.typing.Processor] = [structlog.processors.format_exc_info, renderer]
    else:
        colors = bool(getattr(stream, "isatty", lambda: False)())
        renderer = structlog.dev.ConsoleRenderer(
            colors=colors, exception_formatter=structlog.dev.plain_traceback
        )
        tail = [renderer]
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_SHARED,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *tail],
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(_Redacting(formatter, secrets))
    handler.set_name("wagraph")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "wagraph"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    quiet = {**QUIET, **({} if root.level <= logging.DEBUG else QUIET_UNLESS_DEBUG)}
    for name, threshold in quiet.items():
        logging.getLogger(name).setLevel(threshold)
    structlog.configure(
        processors=[*_SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    return handler


def secret_values(settings: BaseModel) -> list[str]:
    """The values of every secret setting that is set (`SecretStr` fields), and the passwords
    in the database and Redis URLs."""
    values = []
    for name in type(settings).model_fields:
        value = getattr(settings, name, None)
        if isinstance(value, SecretStr) and value.get_secret_value():
            values.append(value.get_secret_value())
        elif name.endswith("_url") and isinstance(value, str) and "@" in value:
            password = urlsplit(value).password
            if password:
                values.append(password)
    return values
