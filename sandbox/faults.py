"""Fault injection: Graph requests that fail on purpose, queued or at random.

Queued faults (from `POST /_sandbox/faults`) fail the next matching requests in order, which
makes retry tests deterministic; the random share (`config.fault_rate`) stresses clients the
way a flaky network would. A faulted request is neither recorded nor followed by webhooks.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections import deque
from dataclasses import dataclass
from typing import Any

from sandbox.config import FAULT_KINDS, SandboxConfig
from sandbox.errors import GraphError, spec_for

# What "5xx" picks from: Meta's generic error and its two "try again later" codes.
_SERVER_ERRORS = ((500, 131000), (503, 131016), (503, 2))


@dataclass(frozen=True, slots=True)
class FaultSpec:
    kind: str  # "5xx" | "timeout" | "error"
    status: int | None = None
    code: int | None = None
    path_contains: str | None = None
    method: str | None = None
    timeout_s: float | None = None

    @classmethod
    def parse(cls, raw: Any, *, path_contains: str | None, method: str | None) -> FaultSpec:
        """`{"status": 503, "code": 131016}`, `{"kind": "timeout"}`, `{"code": 130429}` ..."""
        if not isinstance(raw, dict):
            raise ValueError("each queued fault must be an object")
        kind = raw.get("kind") or ("error" if "code" in raw or "status" in raw else "5xx")
        if kind not in FAULT_KINDS:
            raise ValueError(f"fault kind must be one of {sorted(FAULT_KINDS)}")
        for key in ("status", "code"):
            if key in raw and (isinstance(raw[key], bool) or not isinstance(raw[key], int)):
                raise ValueError(f"fault {key} must be an integer")
        timeout_s = raw.get("timeout_s")
        if timeout_s is not None and not isinstance(timeout_s, int | float):
            raise ValueError("fault timeout_s must be a number")
        return cls(
            kind=kind,
            status=raw.get("status"),
            code=raw.get("code"),
            path_contains=raw.get("path_contains", path_contains),
            method=(raw.get("method") or method or None),
            timeout_s=timeout_s,
        )

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method:
            return False
        return self.path_contains is None or self.path_contains in path

    def public(self) -> dict[str, Any]:
        return {
            k: v
            for k, v in {
                "kind": self.kind,
                "status": self.status,
                "code": self.code,
                "path_contains": self.path_contains,
                "method": self.method,
                "timeout_s": self.timeout_s,
            }.items()
            if v is not None
        }


class FaultInjector:
    """Decides, per Graph request, whether it fails and how."""

    def __init__(self, config: SandboxConfig, seed: int | None) -> None:
        self._config = config
        self._rng = random.Random(None if seed is None else seed + 104729)
        self._queue: deque[FaultSpec] = deque()
        self.rate_path_contains: str | None = None
        self._release: asyncio.Event | None = None
        self.holding = 0  # requests currently held by a timeout fault

    def reset(self, seed: int | None) -> None:
        self._rng = random.Random(None if seed is None else seed + 104729)
        self._queue.clear()
        self.rate_path_contains = None
        self.release_holds()

    def enqueue(self, specs: list[FaultSpec]) -> None:
        self._queue.extend(specs)

    def clear(self) -> None:
        self._queue.clear()
        self.rate_path_contains = None
        self._config.fault_rate = 0.0

    def state(self) -> dict[str, Any]:
        return {
            "queue": [spec.public() for spec in self._queue],
            "rate": self._config.fault_rate,
            "kind": self._config.fault_kind,
            "path_contains": self.rate_path_contains,
            "holding": self.holding,
        }

    def next_fault(self, method: str, path: str) -> FaultSpec | None:
        """The fault this request suffers, if any (the queue first, then the random share)."""
        if self._queue:
            for spec in self._queue:
                if spec.matches(method, path):
                    self._queue.remove(spec)
                    return spec
        rate = self._config.fault_rate
        in_scope = self.rate_path_contains is None or self.rate_path_contains in path
        if rate > 0.0 and in_scope and self._rng.random() < rate:
            return FaultSpec(kind=self._config.fault_kind)
        return None

    async def apply(self, spec: FaultSpec) -> GraphError:
        """The error to answer with, after holding the request when it is a timeout."""
        if spec.kind == "timeout":
            await self._hold(spec.timeout_s or self._config.fault_timeout_s)
            return GraphError(2, "Request timed out (sandbox fault injection)", status=504)
        if spec.kind == "5xx" and spec.code is None:
            status, code = _SERVER_ERRORS[self._rng.randrange(len(_SERVER_ERRORS))]
            return GraphError(code, "Injected by the sandbox", status=spec.status or status)
        code = spec.code if spec.code is not None else self._config.fault_error_code
        status = spec.status or spec_for(code).http_status
        return GraphError(code, "Injected by the sandbox", status=status)

    async def _hold(self, seconds: float) -> None:
        if self._release is None:
            self._release = asyncio.Event()
        self.holding += 1
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._release.wait(), timeout=seconds)
        finally:
            self.holding -= 1

    def release_holds(self) -> None:
        """Answer every held (timeout) request now: shutdown must not wait for them."""
        if self._release is not None:
            self._release.set()
            self._release = None
