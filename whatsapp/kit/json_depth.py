"""JSON from the outside, parsed only when its nesting is within a bound.

A body nested a thousand levels deep parses (orjson stops at 1024), but everything that walks
it afterwards — GraphQL variable coercion, validation, re-encoding (orjson encodes only 254
levels) — recurses once per level and fails far from the door. So the nesting is measured
first, on the raw text, by a C-speed pre-scan: string literals are cut out (a bracket inside
a string is text), the brackets left are turned into +1 / -1, and the deepest running sum is
the nesting. Only a body within the bound is handed to orjson.
"""

from __future__ import annotations

import json
import re
from array import array
from itertools import accumulate
from typing import Any

import orjson

# A JSON string literal, escapes included; unrolled so that a long string is one quick match.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_OPENERS = b"[{"
_CLOSERS = b"]}"
_KEEP = _OPENERS + _CLOSERS
_DROP = bytes(b for b in range(256) if b not in _KEEP)
# An opening bracket becomes 1, a closing one 255 (-1 as a signed byte).
_STEPS = bytes.maketrans(_KEEP, b"\x01\x01\xff\xff")


class JsonTooDeep(json.JSONDecodeError):
    """The text nests arrays and objects deeper than allowed. A JSONDecodeError, so whoever
    already refuses text that is not JSON refuses this too."""

    def __init__(self, depth: int, limit: int) -> None:
        super().__init__(f"JSON nested {depth} levels deep; the limit is {limit}", "", 0)
        self.depth = depth
        self.limit = limit

    def __str__(self) -> str:
        return str(self.msg)


def nesting(data: bytes | str) -> int:
    """How deeply `data` nests arrays and objects (0 for a scalar), read without parsing."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    brackets = _STRING.sub(b"", raw).translate(None, _DROP)
    return max(0, max(accumulate(array("b", brackets.translate(_STEPS))), default=0))


def loads(data: bytes | str, *, max_depth: int) -> Any:
    """orjson.loads, after refusing (JsonTooDeep) text nested deeper than `max_depth`."""
    check_depth(data, max_depth)
    return orjson.loads(data)


def check_depth(data: bytes | str, max_depth: int) -> None:
    """Raise JsonTooDeep when `data` nests deeper than `max_depth`. Text with no more
    opening brackets than that cannot, and is not scanned."""
    if _openers(data) <= max_depth:
        return
    depth = nesting(data)
    if depth > max_depth:
        raise JsonTooDeep(depth, max_depth)


def _openers(data: bytes | str) -> int:
    if isinstance(data, str):
        return data.count("[") + data.count("{")
    return data.count(b"[") + data.count(b"{")
