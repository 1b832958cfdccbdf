"""The `wagraph` command: one entry point for operators, one module per command group.

This module only assembles them; the order here is the order `wagraph --help` lists them in.
"""

from __future__ import annotations

import typer

from app.cli import (
    analytics,
    check,
    flows,
    keys,
    migrations,
    sandbox,
    scheduled,
    schema,
    secrets,
    serve,
    templates,
    webhooks,
    worker,
)

app = typer.Typer(
    help="wagraph: a GraphQL API server for the WhatsApp Cloud API.",
    no_args_is_help=True,
    add_completion=False,
)
app.command("migrate")(migrations.migrate)
app.command("serve")(serve.serve)
app.command("check")(check.check)
app.command("sandbox")(sandbox.sandbox)
app.command("worker")(worker.worker)
app.command("schema")(schema.schema)
app.add_typer(keys.group, name="keys")
app.add_typer(webhooks.group, name="webhooks")
app.add_typer(scheduled.group, name="scheduled")
app.add_typer(templates.group, name="templates")
app.add_typer(flows.group, name="flows")
app.add_typer(analytics.group, name="analytics")
app.add_typer(secrets.group, name="secrets")
app.add_typer(migrations.group, name="migrations")


def main() -> None:
    app()
