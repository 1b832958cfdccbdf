"""Run every benchmark and write `bench/RESULTS.md` (`make bench`).

Each benchmark runs as its own process with `WAGRAPH_BENCH_RESULTS` pointing at one file,
where each appends its results (`bench.measure.record`); a benchmark that fails is reported in
the table's notes and the others still run. The table gives, per measure: the figure, its
ceiling measured in the same run, their ratio, and the CPU milliseconds per operation of the
measured process beside the ceiling's — the figure that holds on a busy machine.

    .venv/bin/python bench/all.py                      # SQLite, no Redis
    .venv/bin/python bench/all.py --database-url postgres://postgres@127.0.0.1:5432/test \\
        --redis-url redis://127.0.0.1:6379             # adds the two-worker flush
    .venv/bin/python bench/all.py --quick              # smaller runs, to try the tables out

`bench/reads.py` (1M rows seeded) and `bench/live.py` (latency only) are not part of it: run
them on their own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT
from bench.measure import Result

PYTHON = sys.executable


# Meta as far away as it is from a server in another region: the flush must keep enough
# requests in flight (rate x round trip) without its connection pool eating the CPU.
REMOTE = ["--latency-ms", "100"]


def plan(args: argparse.Namespace) -> list[tuple[list[str], dict[str, str]]]:
    """The benchmark commands, each with extra environment."""
    scale = 0.2 if args.quick else 1.0
    db = ["--database-url", args.database_url] if args.database_url else []

    def n(count: int) -> str:
        return str(max(100, int(count * scale)))

    runs: list[tuple[list[str], dict[str, str]]] = [
        (["bench/send.py", "--messages", n(3000), "--concurrency", "16", *db], {}),
        (["bench/webhooks.py", "--deliveries", n(4000), "--concurrency", "16", *db], {}),
        (["bench/flows.py", "--requests", n(2000), "--concurrency", "16", *db], {}),
        (["bench/flush.py", "--messages", n(10_000), "--workers", "1", *db], {"REDIS_URL": ""}),
        (
            ["bench/flush.py", "--messages", n(10_000), "--workers", "1", *REMOTE, *db],
            {"REDIS_URL": ""},
        ),
    ]
    if args.redis_url:
        for remote in ([], REMOTE):
            runs.append(
                (
                    ["bench/flush.py", "--messages", n(10_000), "--workers", "2", *remote, *db],
                    {"REDIS_URL": args.redis_url},
                )
            )
    return runs


def table(results: list[Result], failed: list[str], args: argparse.Namespace) -> str:
    def num(value: float | None, fmt: str) -> str:
        return "—" if value is None else format(value, fmt)

    today = dt.datetime.now(dt.UTC).date().isoformat()
    lines = [
        section_heading(args),
        "",
        f"Written by `make bench` (`bench/all.py`) on {today}, "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"database {'PostgreSQL' if args.database_url else 'SQLite'}"
        f"{', Redis' if args.redis_url else ''}{', quick sizes' if args.quick else ''}. "
        "Figures and ceilings were measured in the same run, interleaved in batches; CPU is "
        "the measured process's own (rusage) per operation.",
        "",
        "| Measure | Figure | Ceiling | Ratio | CPU ms/op | Ceiling CPU ms/op | Failures "
        "| Command |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.measure} | {r.figure:,.0f} {r.unit} | {num(r.ceiling, ',.0f')} "
            f"| {num(r.ratio, '.2f')} | {num(r.cpu_ms_per_op, '.2f')} "
            f"| {num(r.ceiling_cpu_ms_per_op, '.2f')} | {r.failures} | `{r.command}` |"
        )
    notes = [f"- {r.measure}: {r.note}" for r in results if r.note]
    notes += [f"- **failed**: `{command}`" for command in failed]
    if notes:
        lines += ["", "Notes:", "", *notes]
    return "\n".join(lines) + "\n"


HEADER = """# Benchmark results

Each section is rewritten by the run on its backends (`make bench`, or `make bench` with
`DATABASE_URL` and `REDIS_URL` set); the other sections are kept as they were.
"""


def section_heading(args: argparse.Namespace) -> str:
    return (
        "## "
        + ("PostgreSQL" if args.database_url else "SQLite")
        + (" + Redis" if args.redis_url else "")
    )


def merged(existing: str, section: str) -> str:
    """`existing` with `section` in place of the one under the same heading (or added)."""
    heading = section.splitlines()[0]
    parts = existing.split("\n## ") if existing.startswith(HEADER[:20]) else [HEADER.rstrip()]
    kept = [parts[0].rstrip() + "\n"]
    for part in parts[1:]:
        if "## " + part.splitlines()[0] != heading:
            kept.append("## " + part.rstrip() + "\n")
    kept.append(section)
    return "\n".join(kept)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=None, help="default: fresh SQLite files")
    parser.add_argument("--redis-url", default=None, help="adds the two-worker flush")
    parser.add_argument("--quick", action="store_true", help="a fifth of the sizes")
    parser.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"))
    args = parser.parse_args()

    failed: list[str] = []
    with tempfile.NamedTemporaryFile(suffix=".jsonl") as sink:
        for command, extra in plan(args):
            env = {**os.environ, "WAGRAPH_BENCH_RESULTS": sink.name, **extra}
            if not env.get("REDIS_URL"):
                env.pop("REDIS_URL", None)
            shown = " ".join(command)
            print(f"\n== {shown}", flush=True)
            done = subprocess.run([PYTHON, *command], cwd=ROOT, env=env, check=False)
            if done.returncode != 0:
                print(f"!! {shown} failed (exit {done.returncode}); going on", flush=True)
                failed.append(shown)
        results = [Result(**json.loads(line)) for line in Path(sink.name).read_text().splitlines()]
    out = Path(args.out)
    out.write_text(merged(out.read_text() if out.exists() else "", table(results, failed, args)))
    print(f"\nwrote {args.out} ({len(results)} results, {len(failed)} failed)")
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
