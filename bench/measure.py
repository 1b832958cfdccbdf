"""What every benchmark measures, the same way: load in interleaved batches, CPU per operation
from the processes' own clocks, and one result line per measure.

On a shared 2-core machine the load generator, the sandbox, the database and the server all
compete, so throughput moves with whatever else runs. CPU time per operation, read from the
measured process's rusage (`/proc/<pid>/stat`), hardly does: it is the figure the targets are
set in. Each measure runs against its ceiling in alternating batches (wagraph, ceiling,
wagraph, …), so a burst of load elsewhere hits both sides alike, and the ratio holds.

A request that fails (an HTTP error, a refused connection) is counted and reported, never a
crash of the whole run: a figure with `failures 3` is still a figure.

With `WAGRAPH_BENCH_RESULTS` set to a file, every `record` also appends its result there as a
JSON line; `bench/results.py` turns that file into `bench/RESULTS.md` (`make bench`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shlex
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (all its threads) so far; 0.0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    # after the command name: state is field 3, utime field 14, stime field 15 (1-based)
    return (int(fields[11]) + int(fields[12])) / TICKS


@dataclass
class Side:
    """One side of a measure (wagraph, or its ceiling) summed over its batches."""

    label: str
    pids: Sequence[int] = ()
    """The processes whose CPU this side's operations cost (the server, the worker …)."""
    ops: int = 0
    failures: int = 0
    elapsed_s: float = 0.0
    cpu_s: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.ops / self.elapsed_s if self.elapsed_s else 0.0

    @property
    def cpu_ms_per_op(self) -> float | None:
        return self.cpu_s * 1000 / self.ops if self.pids and self.ops else None

    def percentile_ms(self, q: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        if q == 0.5:
            return statistics.median(ordered) * 1000
        return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000

    def line(self, unit: str = "op/s") -> str:
        cpu = self.cpu_ms_per_op
        cpu_text = f"   CPU {cpu:>6.2f} ms/op" if cpu is not None else ""
        named = ", ".join(f"{name} {count}" for name, count in self.errors.items())
        errors = f" ({named})" if named else ""
        latency = (
            f"   p50 {self.percentile_ms(0.5):>6.1f} ms   p99 {self.percentile_ms(0.99):>6.1f} ms"
            if self.latencies
            else ""
        )
        return (
            f"{self.label:<38} {self.per_second:>8.0f} {unit}{latency}{cpu_text}"
            f"   failures {self.failures}{errors}"
        )


SendOne = Callable[[int], Awaitable[bool]]


async def run_batch(side: Side, indices: range, concurrency: int, send_one: SendOne) -> None:
    """`send_one(i)` for every index with `concurrency` in flight, into `side`'s totals (its
    processes' CPU included). A request that raises is a failure, named in `side.errors`."""
    queue = iter(indices)

    async def worker() -> None:
        for i in queue:
            started = time.perf_counter()
            try:
                ok = await send_one(i)
            except (httpx.HTTPError, OSError, ValueError, KeyError) as exc:
                name = type(exc).__name__
                side.errors[name] = side.errors.get(name, 0) + 1
                ok = False
            side.latencies.append(time.perf_counter() - started)
            side.failures += 0 if ok else 1

    cpu_before = sum(cpu_seconds(pid) for pid in side.pids)
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    side.elapsed_s += time.perf_counter() - started
    side.cpu_s += sum(cpu_seconds(pid) for pid in side.pids) - cpu_before
    side.ops += len(indices)


async def interleaved(
    n: int,
    batches: int,
    concurrency: int,
    sides: Sequence[tuple[Side, SendOne]],
) -> None:
    """`n` operations per side, in `batches` alternating batches (side A, side B, A, …), so
    what else the machine does hits every side alike. Indices never repeat across batches."""
    size = max(1, n // batches)
    for start in range(0, n, size):
        indices = range(start, min(n, start + size))
        for side, send_one in sides:
            await run_batch(side, indices, concurrency, send_one)


def http_client(concurrency: int) -> httpx.AsyncClient:
    """The load generator's client: httpx's pool slows down as its connection count grows
    (encode/httpx#3215), so it keeps at most 16 connections however many requests fly."""
    pool = min(concurrency, 16)
    limits = httpx.Limits(max_connections=pool, max_keepalive_connections=pool)
    return httpx.AsyncClient(limits=limits, timeout=30.0)


def command_line() -> str:
    """How this benchmark was run, for the results table."""
    script = Path(sys.argv[0])
    with contextlib.suppress(ValueError):
        script = script.resolve().relative_to(Path.cwd())
    return shlex.join([".venv/bin/python", str(script), *sys.argv[1:]])


@dataclass(frozen=True)
class Result:
    """One row of bench/RESULTS.md."""

    measure: str
    figure: float
    unit: str
    ceiling: float | None
    cpu_ms_per_op: float | None
    ceiling_cpu_ms_per_op: float | None
    failures: int
    command: str
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return self.figure / self.ceiling if self.ceiling else None


def record(result: Result) -> None:
    """Print the result's summary line and append it to `WAGRAPH_BENCH_RESULTS` if set."""
    ratio = f"{result.ratio:.2f}x the ceiling" if result.ratio is not None else "no ceiling"
    cpu = (
        f", CPU {result.cpu_ms_per_op:.2f} ms/op"
        + (
            f" (ceiling {result.ceiling_cpu_ms_per_op:.2f})"
            if result.ceiling_cpu_ms_per_op is not None
            else ""
        )
        if result.cpu_ms_per_op is not None
        else ""
    )
    print(f"=> {result.measure}: {result.figure:,.0f} {result.unit}, {ratio}{cpu}")
    target = os.environ.get("WAGRAPH_BENCH_RESULTS")
    if target:
        with open(target, "a", encoding="utf-8") as out:
            out.write(json.dumps(asdict(result)) + "\n")


def compared(measure: str, unit: str, ours: Side, ceiling: Side | None, note: str = "") -> Result:
    """The result of a measure run against its ceiling."""
    return Result(
        measure=measure,
        figure=ours.per_second,
        unit=unit,
        ceiling=ceiling.per_second if ceiling else None,
        cpu_ms_per_op=ours.cpu_ms_per_op,
        ceiling_cpu_ms_per_op=ceiling.cpu_ms_per_op if ceiling else None,
        failures=ours.failures,
        command=command_line(),
        note=note,
    )
