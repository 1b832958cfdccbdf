"""`wagraph scheduled`: the flush's progress moves message by message, `list` prints whole ids,
and a Graph API out of reach is named with its setting."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.runtime import build_runtime
from models import MessageStatus, WhatsAppMessage
from sandbox import Sandbox
from tests.conftest import make_settings, wait_for
from tests.operations.cli_runner import cli_env, closed_port, wagraph
from tests.operations.test_worker_shutdown import only_what_was_sent
from tests.whatsapp.messages.test_scheduling import due_messages, sent_once, statuses
from whatsapp.messages import flush
from whatsapp.messages.scheduling import FlushResult
from whatsapp.runtime import Runtime


@pytest.fixture
async def rt(db: str, sandbox: Sandbox, sandbox_url: str) -> AsyncIterator[Runtime]:
    runtime = build_runtime(make_settings(db, sandbox_url, rate_limit_mps=1000))
    yield runtime
    await runtime.aclose()


async def test_flush_progress_is_reported_as_each_message_goes(
    rt: Runtime, sandbox: Sandbox
) -> None:
    due = await due_messages(rt, 12)
    seen: list[int] = []

    def watch(so_far: FlushResult) -> None:
        seen.append(so_far.sent + so_far.failed + so_far.retried)

    result = await flush.flush_scheduled_messages(rt, batch=500, progress=watch)

    # one pass of 12, yet the watcher saw every message settle, not only the pass end
    assert seen[:12] == list(range(1, 13))
    assert seen[-1] == 12 and seen == sorted(seen)
    # watching changes nothing about sending
    assert (result.claimed, result.sent) == (12, 12)
    assert await statuses(due) == {MessageStatus.SENT: 12}
    assert sent_once(sandbox, due)


async def test_flush_from_the_cli_sends_and_reports(
    rt: Runtime, sandbox: Sandbox, db: str, sandbox_url: str, tmp_path: Path
) -> None:
    due = await due_messages(rt, 5)

    result = await wagraph("scheduled", "flush", env=cli_env(db, sandbox_url), cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "claimed 5, sent 5, failed 0" in result.stderr
    assert await statuses(due) == {MessageStatus.SENT: 5}
    assert sent_once(sandbox, due)


async def test_flush_with_the_graph_api_out_of_reach_names_its_url(
    rt: Runtime, db: str, tmp_path: Path
) -> None:
    due = await due_messages(rt, 3)
    graph = f"http://127.0.0.1:{closed_port()}"

    result = await wagraph("scheduled", "flush", env=cli_env(db, graph), cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "retrying later 3" in result.stderr
    assert f"Graph API at {graph}, META_GRAPH_API_BASE_URL" in result.stderr
    assert await statuses(due) == {MessageStatus.SCHEDULED: 3}  # put back, not failed


async def test_list_prints_whole_ids(rt: Runtime, db: str, tmp_path: Path) -> None:
    due = await due_messages(rt, 3)

    result = await wagraph("scheduled", "list", env=cli_env(db), cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    for message in due:
        assert str(message.id) in result.stdout


async def test_list_with_nothing_scheduled_says_so(db: str, tmp_path: Path) -> None:
    result = await wagraph("scheduled", "list", "--due", env=cli_env(db), cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "no scheduled messages due now" in result.stderr


async def test_sigterm_stops_a_flush_and_gives_back_what_was_not_sent(
    rt: Runtime, sandbox: Sandbox, db: str, sandbox_url: str, tmp_path: Path
) -> None:
    # 60 due at 20 msg/s: three seconds of work, stopped after a few went out.
    due = await due_messages(rt, 60)
    env = cli_env(db, sandbox_url, WAGRAPH_RATE_LIMIT_MPS="20")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app.cli",
        "scheduled",
        "flush",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await wait_for(lambda: len(sandbox.stats()["sends_per_callback_data"]) >= 5, timeout=30)
        process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), 30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()

    assert process.returncode == 0, err.decode()
    summary = err.decode()
    assert "stopping on SIGTERM" in summary
    counts = await statuses(due)
    assert set(counts) <= {MessageStatus.SENT, MessageStatus.SCHEDULED}
    assert counts.get(MessageStatus.SCHEDULED, 0) > 0, "the flush ran to the end: not stopped"
    # one pass claimed all 60: every one not sent was given back, and the summary says so
    assert f"released {counts[MessageStatus.SCHEDULED]} (scheduled again, not sent)" in summary
    only_what_was_sent(sandbox, await WhatsAppMessage.filter(id__in=[m.id for m in due]))
