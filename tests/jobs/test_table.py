"""One table of background jobs, read by both runners: the arq worker and the server."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from arq.cron import CronJob

from jobs.inprocess import in_process_jobs
from jobs.table import JOBS
from jobs.worker import worker_settings
from tests.conftest import make_settings


def test_the_arq_worker_registers_every_row(db: str, sandbox_url: str) -> None:
    settings = make_settings(db, sandbox_url, redis_url="redis://127.0.0.1:6379/5")

    registered = worker_settings(settings)

    functions = [f.name for f in registered["functions"]]
    crons = [c.name for c in registered["cron_jobs"]]
    assert functions == [job.name for job in JOBS if job.cron is None] == ["messages.deliver"]
    # cron names carry the deployment's queue: arq's per-tick job ids are made of them
    assert crons == [f"{settings.queue_name}:{job.name}" for job in JOBS if job.cron is not None]


@pytest.mark.parametrize(
    ("name", "now", "next_run"),
    [
        ("messages.sweep", (10, 0, 1), (10, 0, 5)),
        ("webhooks.sweep", (10, 0, 1), (10, 0, 2)),
        ("automations.run", (10, 0, 59), (10, 1, 0)),
        ("templates.sync", (10, 0, 1), (11, 0, 0)),
        ("analytics.rollup", (10, 0, 31), (10, 1, 30)),
    ],
)
def test_arq_runs_each_periodic_row_on_its_schedule(
    db: str, sandbox_url: str, name: str, now: tuple[int, ...], next_run: tuple[int, ...]
) -> None:
    settings = make_settings(db, sandbox_url, redis_url="redis://127.0.0.1:6379/5")
    named = f"{settings.queue_name}:{name}"
    [job] = [c for c in worker_settings(settings)["cron_jobs"] if c.name == named]
    assert isinstance(job, CronJob)

    job.calculate_next(datetime(2026, 3, 3, *now, tzinfo=UTC))

    assert job.next_run is not None
    assert (job.next_run.hour, job.next_run.minute, job.next_run.second) == next_run


def test_the_server_sweeps_scheduled_messages_and_rolls_up_only_without_redis() -> None:
    with_redis = [job.name for job in in_process_jobs(with_redis=True)]
    without = [job.name for job in in_process_jobs(with_redis=False)]

    assert with_redis == ["webhooks.sweep", "automations.run"]
    assert without == ["messages.sweep", "webhooks.sweep", "automations.run", "analytics.rollup"]
