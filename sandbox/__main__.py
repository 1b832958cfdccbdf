"""`python -m sandbox [--port 8787] [--webhook-url URL] [--seed N]`: run the sandbox alone.

`python -m sandbox flows run|ping …` drives a running sandbox's Flows client (`flows_cli`).
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from sandbox.app import serve
from sandbox.config import SandboxConfig


def main() -> None:
    if sys.argv[1:2] == ["flows"]:
        from sandbox.flows_cli import main as flows_main

        raise SystemExit(flows_main(sys.argv[2:]))
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8787)
    parser.add_argument("--webhook-url", default=None)
    parser.add_argument(
        "--flows-endpoint", default=None, help='e.g. "http://127.0.0.1:8000/flows/{flow}"'
    )
    parser.add_argument("--access-token", default=SandboxConfig.access_token)
    parser.add_argument("--app-secret", default=SandboxConfig.app_secret)
    parser.add_argument("--rate-limit-mps", type=int, default=SandboxConfig.rate_limit_mps)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    config = SandboxConfig(
        access_token=args.access_token,
        app_secret=args.app_secret,
        webhook_url=args.webhook_url,
        rate_limit_mps=args.rate_limit_mps,
        seed=args.seed,
        flows_endpoint=args.flows_endpoint,
    )
    asyncio.run(serve(config, host=args.host, port=args.port))


if __name__ == "__main__":
    main()
