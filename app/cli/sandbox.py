"""`wagraph sandbox`: Meta's Cloud API, simulated, on its own."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Annotated

import typer

from app.cli.common import console, setup_logging
from app.settings import Settings, get_settings

if TYPE_CHECKING:
    from sandbox import SandboxConfig


def sandbox_config(
    settings: Settings,
    *,
    webhook_url: str | None,
    rate_limit_mps: int = 80,
    fault_rate: float = 0.0,
) -> SandboxConfig:
    """The sandbox as the settings describe our business number (shared with `serve`)."""
    from sandbox import SandboxConfig

    return SandboxConfig(
        access_token=settings.meta_access_token.get_secret_value(),
        app_secret=settings.app_secret or "sandbox-app-secret",
        phone_numbers={settings.meta_phone_number_id: "15550783881"},
        waba_id=settings.meta_business_id or "102290129340398",
        webhook_url=webhook_url,
        rate_limit_mps=rate_limit_mps,
        fault_rate=fault_rate,
        # The WhatsApp client it plays runs Flows against our endpoint.
        flows_endpoint=f"{settings.self_url}/flows/{{flow}}",
    )


def sandbox(
    port: Annotated[int | None, typer.Option(help="Port (default WAGRAPH_SANDBOX_PORT).")] = None,
    webhook_url: Annotated[
        str | None, typer.Option(help="Where to POST signed status/inbound webhooks.")
    ] = None,
    rate_limit: Annotated[int, typer.Option(help="Messages per second per number.")] = 80,
    fault_rate: Annotated[float, typer.Option(help="Share of requests that fail (0..1).")] = 0.0,
) -> None:
    """Run the Cloud API sandbox alone (Meta's API, simulated)."""
    from sandbox import serve as serve_sandbox

    settings = get_settings()
    setup_logging()
    config = sandbox_config(
        settings, webhook_url=webhook_url, rate_limit_mps=rate_limit, fault_rate=fault_rate
    )
    bind = port or settings.sandbox_port
    console.print(f"Cloud API sandbox on http://127.0.0.1:{bind} (token: the configured one)")
    asyncio.run(serve_sandbox(config, port=bind))
