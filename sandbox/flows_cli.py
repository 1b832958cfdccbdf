"""`python -m sandbox flows run|ping …`: a running sandbox's Flows controls, from a shell.

    python -m sandbox flows run booking --customer 15551234567 \\
        --script '{"DESTINATION": {"destination": "lisbon"}, "DATES": {...}}'
    python -m sandbox flows ping booking

Each posts the matching `/_sandbox/flows/…` body and prints the transcript, one line per
exchange (`--json` prints the whole answer). Exit status: 0 when the run completed or waits on a
screen (or the ping was answered active), 1 when the endpoint stopped it, 2 when the sandbox
refused the request.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import httpx

DEFAULT_SANDBOX = "http://127.0.0.1:8787"
FINE = ("completed", "waiting")


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    try:
        body = _ping_body(args) if args.command == "ping" else _run_body(args)
    except (ValueError, OSError) as exc:  # --script: bad JSON, or a file that cannot be read
        print(f"--script: {exc}", file=sys.stderr)
        return 2
    try:
        with httpx.Client(base_url=args.sandbox, trust_env=False, timeout=120) as http:
            response = http.post(f"/_sandbox/flows/{args.command}", json=body)
    except httpx.HTTPError as exc:
        print(f"the sandbox at {args.sandbox} did not answer: {exc}", file=sys.stderr)
        return 2
    answer = response.json()
    if response.status_code != 200:
        print(f"refused: {answer.get('error', answer)}", file=sys.stderr)
        return 2
    print(json.dumps(answer, indent=2) if args.json else render(answer))
    if args.command == "ping":
        return 0 if answer["healthy"] else 1
    return 0 if answer["status"] in FINE else 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sandbox flows", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="a customer walks through a Flow")
    ping = commands.add_parser("ping", help="WhatsApp's health check of an endpoint")
    for sub in (run, ping):
        sub.add_argument("flow", nargs="?", help="the flow's name (its endpoint's {flow})")
        sub.add_argument("--sandbox", default=DEFAULT_SANDBOX, help="the sandbox's base URL")
        sub.add_argument("--endpoint", help="the endpoint URL (default: flows_endpoint)")
        sub.add_argument("--phone-number-id")
        sub.add_argument("--json", action="store_true", help="print the whole answer")
    run.add_argument("--customer", help="number, BSUID or @username")
    run.add_argument("--flow-token", help="default: the last flow message sent to the customer")
    run.add_argument("--script", help="JSON, or @file: what the customer does on each screen")
    run.add_argument("--version", choices=("3.0", "4.0"), help="Data API version")
    run.add_argument("--resume", action="store_true", help="go on from where the flow was left")
    return parser


def _common(args: argparse.Namespace) -> dict[str, Any]:
    body = {"flow": args.flow, "endpoint": args.endpoint, "phone_number_id": args.phone_number_id}
    return {key: value for key, value in body.items() if value is not None}


def _ping_body(args: argparse.Namespace) -> dict[str, Any]:
    return _common(args)


def _run_body(args: argparse.Namespace) -> dict[str, Any]:
    body = _common(args)
    for key in ("customer", "flow_token", "version"):
        if getattr(args, key) is not None:
            body[key] = getattr(args, key)
    if args.script is not None:
        text = args.script
        if text.startswith("@"):
            text = Path(text[1:]).read_text()
        body["script"] = json.loads(text)
    if args.resume:
        body["resume"] = True
    return body


def render(answer: dict[str, Any]) -> str:
    """One line per exchange, then how the run (or ping) ended."""
    lines = []
    for step in answer["steps"]:
        request, reply = step["request"], step["answer"]
        sent = f"{request['action']} {request.get('screen') or ''}".strip()
        shown = reply.get("screen") if isinstance(reply, dict) else None
        got = shown or (json.dumps(reply) if reply is not None else step.get("error", ""))
        retry = " (retry, fresh key)" if step["retry"] else ""
        lines.append(f"  → {sent:<28} ← {step['status']} {got}{retry}")
    if "healthy" in answer:
        lines.append("healthy" if answer["healthy"] else f"unhealthy: {answer['error']}")
        return "\n".join(lines)
    ending = f"{answer['status']} on {answer['screen']}"
    if answer.get("error"):
        ending += f": {answer['error']}"
    completion = answer.get("completion") or {}
    if "wamid" in completion:
        ending += f"\ncompletion webhook {completion['wamid']}: {json.dumps(completion['params'])}"
    return "\n".join([*lines, ending])
