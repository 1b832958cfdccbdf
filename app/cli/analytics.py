"""`wagraph analytics`: the hourly event rollup behind eventSeries, shown, caught up and rebuilt."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from app.cli.common import console, with_db
from app.settings import get_settings

group = typer.Typer(help="The hourly event rollup that eventSeries reads.", no_args_is_help=True)


@group.command("rollup")
def rollup_now() -> None:
    """Count every closed hour not yet in the rollup, now (workers do it every minute)."""
    from rich.progress import Progress

    from whatsapp.analytics import rollup

    async def run() -> rollup.RollupProgress:
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("counting hours", total=None)
            while True:
                step = await rollup.roll_up(max_batches=1)
                progress.update(task, advance=step.hours_counted)
                if step.covered is None or step.behind.total_seconds() == 0:
                    return step

    done = asyncio.run(with_db(get_settings(), run))
    if done.covered is None:
        console.print("no closed hour with events yet: nothing to count")
        return
    console.print(
        f"the rollup covers {done.covered.start:%Y-%m-%d %H:%M} to "
        f"{done.covered.end:%Y-%m-%d %H:%M} UTC"
    )


@group.command("status")
def status() -> None:
    """Which hours the rollup covers, and how far behind it is."""
    from whatsapp.analytics import rollup

    covered = asyncio.run(with_db(get_settings(), rollup.coverage))
    if covered is None:
        console.print("the rollup is empty: eventSeries counts from the event log")
        return
    behind = rollup.lag_behind(covered)
    console.print(
        f"covered: {covered.start:%Y-%m-%d %H:%M} to {covered.end:%Y-%m-%d %H:%M} UTC, "
        f"{behind.total_seconds() / 3600:.0f} closed hours behind "
        "(eventSeries reads what is not covered from the event log)"
    )


@group.command("rebuild-rollup")
def rebuild(
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Forget the rollup and count it again from the event log (after importing old events)."""
    from whatsapp.analytics import rollup

    if not yes:
        typer.confirm(
            "Clear the rollup? eventSeries stays correct, slower until recounted", abort=True
        )
    asyncio.run(with_db(get_settings(), rollup.rebuild))
    console.print("cleared; run `wagraph analytics rollup` to recount now, or let the workers")
