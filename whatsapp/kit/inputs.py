"""What any client-supplied text or JSON must be, whatever field it arrives in.

PostgreSQL refuses a NUL in text and JSON, lone surrogates cannot be encoded, terminal control
sequences end up in operators' logs, and unbounded strings, lists or nesting cost memory, SQL
arguments (asyncpg takes at most 32,767) and recursion. These rules are checked once, at the
edge (`schema.validation`), so no resolver or core function meets such a value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

MAX_TEXT_LENGTH = 65_536  # characters in one string; a message body is at most 4,096
MAX_LIST_ITEMS = 1_000  # items in one list argument
MAX_JSON_DEPTH = 32  # nested objects and arrays in one JSON value
MAX_JSON_NODES = 10_000  # keys and values in one JSON value

# Control characters (C0, DEL, C1) other than tab, line feed and carriage return, and UTF-16
# surrogates, which no UTF-8 text can hold.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def text_problem(value: str) -> str | None:
    """Why `value` cannot be accepted as text, or None if it can."""
    if len(value) > MAX_TEXT_LENGTH:
        return f"Must be at most {MAX_TEXT_LENGTH:,} characters (got {len(value):,})"
    bad = _FORBIDDEN.search(value)
    if bad is not None:
        return (
            f"Must not contain control characters other than tab and newlines "
            f"(U+{ord(bad.group()):04X} at position {bad.start()})"
        )
    return None


def list_problem(items: list[Any]) -> str | None:
    if len(items) > MAX_LIST_ITEMS:
        return f"Must have at most {MAX_LIST_ITEMS:,} items (got {len(items):,})"
    return None


def json_problem(value: Any) -> str | None:
    """Why a JSON value cannot be accepted — too deep, too big, or bad text in a key or
    string — or None. Walked without recursion, so no depth can exhaust the stack."""
    nodes = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        nodes += 1
        if nodes > MAX_JSON_NODES:
            return f"Must have at most {MAX_JSON_NODES:,} keys and values"
        if isinstance(item, str):
            problem = text_problem(item)
            if problem:
                return problem
            continue
        children: list[Any]
        if isinstance(item, Mapping):
            for key in item:
                problem = text_problem(key) if isinstance(key, str) else "Keys must be strings"
                if problem:
                    return f"Key: {problem}"
            children = list(item.values())
        elif isinstance(item, list | tuple):
            children = list(item)
        else:
            continue
        if children and depth >= MAX_JSON_DEPTH:
            return f"Must be nested at most {MAX_JSON_DEPTH} levels deep"
        stack.extend((child, depth + 1) for child in children)
    return None
