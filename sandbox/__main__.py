"""`python -m sandbox [--port 8787] [--webhook-url URL] [--seed N] …`: run the sandbox alone.

The options are `sandbox.cli.FLAGS`, the same as `wagraph sandbox`'s. `python -m sandbox flows
run|ping …` drives a running sandbox's Flows client (`flows_cli`).
"""

from __future__ import annotations

import asyncio
import sys

from sandbox.app import serve
from sandbox.cli import DEFAULT_HOST, DEFAULT_PORT, configure, parse, port_taken
from sandbox.config import SandboxConfig

DESCRIPTION = (
    "Run the Cloud API sandbox alone (Meta's API, simulated). "
    "`python -m sandbox flows --help`: drive a running sandbox's Flows client."
)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["flows"]:
        from sandbox.flows_cli import main as flows_main

        return flows_main(args[1:])
    values = parse(args, prog="python -m sandbox", description=DESCRIPTION)
    try:
        config = configure(SandboxConfig(), values)
    except ValueError as exc:
        print(f"python -m sandbox: {exc}", file=sys.stderr)
        return 2
    host = DEFAULT_HOST if values["host"] is None else values["host"]
    port = DEFAULT_PORT if values["port"] is None else values["port"]
    if problem := port_taken(host, port):
        print(f"python -m sandbox: {problem} (--host/--port)", file=sys.stderr)
        return 1
    asyncio.run(serve(config, host=host, port=port))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
