"""The server's in-process runner: the table's rows on an interval, until it is stopped."""

from __future__ import annotations

from app.runtime import build_runtime
from jobs.inprocess import BackgroundWork
from models import AutomationRunStatus
from sandbox import Sandbox
from tests.conftest import make_settings, wait_for
from tests.whatsapp.automations.factories import contact_event, make_automation, runs_of


async def test_runs_of_new_events_are_executed_until_stopped(
    db: str, sandbox: Sandbox, sandbox_url: str
) -> None:
    # given
    settings = make_settings(db, sandbox_url, background_interval_s=0.02)
    rt = build_runtime(settings)
    background = BackgroundWork(settings)
    background.start(rt)
    automation = await make_automation()

    try:
        # when
        await contact_event()

        # then
        async def succeeded() -> bool:
            runs = await runs_of(automation)
            return bool(runs) and runs[0].status == AutomationRunStatus.SUCCEEDED

        await wait_for(succeeded)
    finally:
        await background.stop()
        await rt.aclose()
