"""The sandbox's command-line options, defined once for `python -m sandbox` and `wagraph sandbox`.

Each front reads the same `FLAGS` (argparse here, typer in `app.cli.sandbox`) and applies them
with `configure` over its own base: `python -m sandbox` over `SandboxConfig()`'s defaults,
`wagraph sandbox` over the config wagraph's settings describe. An option left out keeps the
base's value, so the two commands differ only in their defaults, never in their flags.
"""

from __future__ import annotations

import argparse
import dataclasses
import errno
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sandbox.config import FAULT_KINDS, SandboxConfig

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8787


@dataclass(frozen=True, slots=True)
class Flag:
    """One option: `--name-with-dashes VALUE`, setting `field` of the config (or, with no
    field, where the server listens)."""

    name: str
    kind: type[str] | type[int] | type[float]
    help: str
    field: str | None = None
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()

    @property
    def option(self) -> str:
        return "--" + self.name.replace("_", "-")


FLAGS: tuple[Flag, ...] = (
    Flag("host", str, "Address to listen on."),
    Flag("port", int, "Port to listen on."),
    Flag("webhook_url", str, "Where to POST signed status and inbound webhooks.", "webhook_url"),
    Flag(
        "flows_endpoint",
        str,
        'Where a Flow sends its data exchanges, e.g. "http://127.0.0.1:8000/flows/{flow}".',
        "flows_endpoint",
    ),
    Flag("access_token", str, "The bearer token clients must present.", "access_token"),
    Flag("app_secret", str, "Signs the webhooks (X-Hub-Signature-256).", "app_secret"),
    Flag(
        "rate_limit_mps",
        int,
        "Messages per second per phone number (0: no limit).",
        "rate_limit_mps",
        aliases=("--rate-limit",),
    ),
    Flag("fault_rate", float, "Share of requests that fail on purpose (0..1).", "fault_rate"),
    Flag("fault_kind", str, "How they fail.", "fault_kind", choices=tuple(sorted(FAULT_KINDS))),
    Flag(
        "response_delay_s",
        float,
        "Seconds each Graph API answer takes, like a remote Meta's round trip.",
        "response_delay_s",
        aliases=("--response-delay",),
    ),
    Flag("seed", int, "Seed of the random choices, for repeatable runs.", "seed"),
)


def configure(base: SandboxConfig, values: Mapping[str, Any]) -> SandboxConfig:
    """`base` with the options given applied (a missing or None value keeps the base's).

    Raises ValueError naming the problem when the result is not a possible sandbox."""
    changes = {
        flag.field: values[flag.name]
        for flag in FLAGS
        if flag.field is not None and values.get(flag.name) is not None
    }
    return dataclasses.replace(base, **changes)


def port_taken(host: str, port: int) -> str | None:
    """Why the server could not listen on (host, port), checked before it starts (so the
    answer is one line, not a server that starts and fails); None when it can."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return f"port {port} on {host} is already in use"
            return f"cannot listen on {host}:{port}: {exc.strerror or exc}"
    return None


def add_flags(parser: argparse.ArgumentParser, defaults: SandboxConfig) -> None:
    """The options on an argparse parser; their help shows `defaults`' values."""
    shown: dict[str, Any] = {"host": DEFAULT_HOST, "port": DEFAULT_PORT}
    for flag in FLAGS:
        default = getattr(defaults, flag.field) if flag.field else shown[flag.name]
        parser.add_argument(
            flag.option,
            *flag.aliases,
            dest=flag.name,
            type=flag.kind,
            default=None,
            choices=flag.choices or None,
            help=f"{flag.help} (default: {default})",
        )


def parse(argv: Sequence[str], *, prog: str, description: str | None = None) -> dict[str, Any]:
    """`python -m sandbox`'s options, as {flag name: value or None}."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    add_flags(parser, SandboxConfig())
    return vars(parser.parse_args(argv))
