"""`wagraph flows`: the Flows endpoint's keys — made here, uploaded to Meta.

A rotation: `keygen --out new.pem`, set WAGRAPH_FLOWS_PRIVATE_KEY to the new file and
WAGRAPH_FLOWS_PREVIOUS_KEYS to the old one, restart, `upload-key`; requests still encrypted
with the old key keep working until WhatsApp has fetched the new one, then drop the old key.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from app.cli.common import console, with_runtime
from app.settings import get_settings

group = typer.Typer(help="WhatsApp Flows: the endpoint's encryption keys.", no_args_is_help=True)


@group.command("keygen")
def keygen(
    out: Annotated[
        Path, typer.Option(help="Where to write the private key (PEM); it must not exist.")
    ] = Path("flows-private-key.pem"),
    passphrase_env: Annotated[
        str | None,
        typer.Option(
            help="The name of an environment variable holding a passphrase to encrypt the "
            "private key with (then set WAGRAPH_FLOWS_KEY_PASSPHRASE to it)."
        ),
    ] = None,
) -> None:
    """Write a new 2048-bit RSA private key and print its public key (to upload to Meta)."""
    from whatsapp.flows import crypto

    passphrase = None
    if passphrase_env is not None:
        passphrase = os.environ.get(passphrase_env)
        if not passphrase:
            console.print(f"[red]{passphrase_env} is not set (or empty)[/]")
            raise typer.Exit(2)
    if out.exists():
        console.print(f"[red]{out} exists: choose another --out (a key is never overwritten)[/]")
        raise typer.Exit(2)
    key = crypto.generate_private_key()
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        console.print(f"[red]cannot write {out}: {exc.strerror}[/]")
        raise typer.Exit(1) from None
    with os.fdopen(fd, "w") as handle:
        handle.write(crypto.private_pem(key, passphrase))
    console.print(f"private key written to {out} (mode 600); its public key:")
    print(crypto.public_pem(key), end="")


@group.command("upload-key")
def upload_key(
    phone_number_id: Annotated[
        str | None,
        typer.Option(help="The number to set it on (default: META_PHONE_NUMBER_ID)."),
    ] = None,
) -> None:
    """Upload the current Flows key's public half to Meta for a number, then read it back."""
    from app.dev_flows import flows_keys
    from whatsapp.cloud.client import CloudError
    from whatsapp.flows import crypto

    settings = get_settings()
    try:
        keys = flows_keys(settings)
    except ValueError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    if not keys:
        console.print("[red]no Flows key: set WAGRAPH_FLOWS_PRIVATE_KEY (wagraph flows keygen)[/]")
        raise typer.Exit(2)
    number = phone_number_id or settings.meta_phone_number_id
    pem = crypto.public_pem(keys[0])

    async def run(rt: Any) -> dict[str, Any]:
        await rt.cloud.set_business_public_key(number, pem)
        found: dict[str, Any] = await rt.cloud.get_business_public_key(number)
        return found

    try:
        found = asyncio.run(with_runtime(settings, run))
    except CloudError as exc:
        console.print(f"[red]Meta refused the key: {exc}[/]")
        raise typer.Exit(1) from None
    status = found.get("business_public_key_signature_status", "unknown")
    same = (found.get("business_public_key") or "").strip() == pem.strip()
    console.print(f"uploaded for {number}: signature status {status}")
    if not same:
        console.print("[yellow]Meta returned a different key: check the number[/]")
        raise typer.Exit(1)


DEMO_CUSTOMER = "15551234567"


@group.command("demo")
def demo(
    customer: Annotated[
        str, typer.Option(help="The sandbox customer who books (the demo customer by default).")
    ] = DEMO_CUSTOMER,
) -> None:
    """Run the reference booking Flow end to end against a running `make run` server.

    Sends the customer the booking Flow, then has the sandbox play their WhatsApp client:
    every screen encrypted to this server's /flows/booking, the answers it shows, and the
    completion message back as a webhook. Prints each step and where to read the journey.
    """
    import httpx

    from whatsapp.kit.errors import WagraphError
    from whatsapp.messages.sending import send_message

    settings = get_settings()
    if not settings.sandbox_enabled or settings.graph_api_base_url is not None:
        console.print("[red]the demo plays WhatsApp with the built-in sandbox: run `make run`[/]")
        raise typer.Exit(2)
    content = {
        "flow": {
            "body": "Where to next? Book a stay in a few taps.",
            "flowName": "booking",
            "flowCta": "Book a stay",
            "action": "data_exchange",
        }
    }

    async def send(rt: Any) -> str:
        result = await send_message(rt, to=customer, content=content, source="cli")
        if result.problem is not None:
            raise WagraphError([result.problem])
        from models import WhatsAppSession

        found = await WhatsAppSession.get_or_none(id=result.message.session_id)
        return str(found.flow_token) if found else ""

    try:
        token = asyncio.run(with_runtime(settings, send))
    except WagraphError as exc:
        console.print(f"[red]the Flow was not sent: {exc}[/]")
        raise typer.Exit(1) from None
    sandbox = f"http://127.0.0.1:{settings.sandbox_port}/_sandbox/flows/run"
    try:
        run = httpx.post(
            sandbox, json={"flow_token": token, "script": booking_script()}, timeout=60.0
        ).json()
    except httpx.HTTPError as exc:
        console.print(f"[red]the sandbox did not answer ({exc}): is `make run` running?[/]")
        raise typer.Exit(1) from None
    _print_run(run, token)
    if run.get("status") != "completed":
        raise typer.Exit(1)


def booking_script() -> dict[str, Any]:
    """What the demo traveller answers on each screen of the booking Flow."""
    from datetime import timedelta

    from whatsapp.kit.clock import utcnow

    check_in = utcnow().date() + timedelta(days=30)
    return {
        "DESTINATION": {"destination": "lisbon"},
        "DATES": {
            "check_in": check_in.isoformat(),
            "check_out": (check_in + timedelta(days=4)).isoformat(),
        },
        "TRAVELLERS": {"adults": "2", "children": "1"},
        "CONFIRM": {"accept_terms": True},
    }


def _print_run(run: dict[str, Any], token: str) -> None:
    for step in run.get("steps") or []:
        request, answer = step.get("request") or {}, step.get("answer") or {}
        console.print(
            f"  {request.get('action')} {request.get('screen') or '-':<12} "
            f"-> {step.get('status')} {answer.get('screen') or answer.get('data') or ''}"
        )
    console.print(f"journey {run.get('status')}; flow token {token}")
    params = (run.get("completion") or {}).get("params")
    if params:
        console.print(f"booking {params.get('booking_reference')}: {params}")
    console.print(
        'read it in GraphiQL: { flowSessions(filter: {flow: "booking"}) { edges { node '
        "{ status flowState { screen answers result } } } } }"
    )
