"""`wagraph sandbox`: Meta's Cloud API, simulated, on its own.

Its options are the sandbox's own (`sandbox.cli.FLAGS`, shared with `python -m sandbox`), turned
into typer options here; only their defaults differ: they come from wagraph's settings.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from app.cli.common import console, setup_logging
from app.settings import Settings, get_settings
from sandbox.cli import DEFAULT_HOST, FLAGS, Flag

if TYPE_CHECKING:
    from sandbox import SandboxConfig

# Where `wagraph sandbox` takes an option's default from, when not the sandbox's own default.
FROM_SETTINGS = {
    "port": "WAGRAPH_SANDBOX_PORT",
    "access_token": "META_ACCESS_TOKEN",
    "app_secret": "META_APP_SECRET",
    "flows_endpoint": "WAGRAPH_PUBLIC_URL + /flows/{flow}",
}


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


def _run(**values: Any) -> None:
    """Run the Cloud API sandbox alone (Meta's API, simulated)."""
    from sandbox import serve as serve_sandbox
    from sandbox.cli import configure, port_taken

    settings = get_settings()
    try:
        config = configure(sandbox_config(settings, webhook_url=None), values)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    host = values["host"] or DEFAULT_HOST
    port = settings.sandbox_port if values["port"] is None else values["port"]
    if problem := port_taken(host, port):
        console.print(f"[red]{problem}[/] (--port, or WAGRAPH_SANDBOX_PORT)", highlight=False)
        raise typer.Exit(1)
    setup_logging()
    console.print(f"Cloud API sandbox on http://{host}:{port} (token: the configured one)")
    asyncio.run(serve_sandbox(config, host=host, port=port))


def _option(flag: Flag) -> inspect.Parameter:
    """One of the sandbox's flags as a typer option (None when not given: `configure` keeps
    the settings' value)."""
    from sandbox import SandboxConfig

    if flag.name in FROM_SETTINGS:
        default = f"from {FROM_SETTINGS[flag.name]}"
    else:
        default = str(getattr(SandboxConfig(), flag.field) if flag.field else DEFAULT_HOST)
    help_text = f"{flag.help} (default: {default})"
    option = typer.Option(flag.option, *flag.aliases, help=help_text, show_default=False)
    kind: Any = Literal[flag.choices] if flag.choices else flag.kind
    return inspect.Parameter(
        flag.name,
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[kind | None, option],
    )


def _command() -> Any:
    """`_run` with one typer option per flag (typer reads a command's options off its
    signature, so the signature is the flags')."""
    parameters = [_option(flag) for flag in FLAGS]

    def sandbox(**values: Any) -> None:
        _run(**values)

    sandbox.__doc__ = _run.__doc__
    sandbox.__signature__ = inspect.Signature(parameters, return_annotation=None)  # type: ignore[attr-defined]
    sandbox.__annotations__ = {p.name: p.annotation for p in parameters} | {"return": None}
    return sandbox


sandbox = _command()
