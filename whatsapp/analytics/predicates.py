"""SQL conditions on the event log for analytics, written per dialect with bound parameters.

Properties are compared as text: a string as it is, a number or a boolean by its JSON text
(`3`, `true`), so SQLite and PostgreSQL agree; a missing key or a JSON null matches nothing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from whatsapp.events.queries import MAX_NAME, WILDCARD, prefix_successor
from whatsapp.kit.errors import invalid
from whatsapp.kit.ids import parse_id
from whatsapp.kit.sql import Params

PROPERTY_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
EVENTS = "whatsapp_analytics_event"


@dataclass(frozen=True, slots=True)
class EventSelection:
    """Which events count; every given condition must hold."""

    name: str | None = None
    source: str | None = None
    template: str | None = None
    automation_id: str | None = None
    phone_number_id: str | None = None
    flow: str | None = None
    tag: str | None = None


def prop(p: Params, key: str, *field: str, alias: str = "e") -> str:
    """A top-level property of the event as text (NULL when missing or JSON null); a bad key
    is INVALID_INPUT at `field`."""
    if not PROPERTY_KEY.fullmatch(key):
        raise invalid("a property key is letters, digits and _ (at most 64)", *(field or ("key",)))
    if p.postgres:
        # The key inline (it is checked above): only then does the expression equal the one
        # in the idx_event_prop_* indexes, whatever plan a prepared statement gets.
        return f"({alias}.properties ->> '{key}')"
    path = f'$."{key}"'
    column = f"{alias}.properties"
    return (
        f"(CASE json_type({column}, {p(path)}) WHEN 'text' THEN {column} ->> {p(path)} "
        f"WHEN 'null' THEN NULL ELSE {column} -> {p(path)} END)"
    )


def name_matches(p: Params, pattern: str, *field: str, alias: str = "e") -> str:
    """An exact name, or a pattern where `*` matches any run of characters (case-sensitive).

    A pattern's literal prefix is also a range in byte order (`name COLLATE "C" >= 'message.'
    AND … < 'message/'`), which idx_event_name_c_created serves on PostgreSQL (a LIKE under the
    database's collation cannot use an index: `message.*` by template over 30 days read all 1M
    rows) and the (name, created_at) index on SQLite; the match then checks only that range.
    """
    if not 1 <= len(pattern) <= MAX_NAME:
        raise invalid(f"name must be 1-{MAX_NAME} characters", *field)
    column = f"{alias}.name"
    if WILDCARD not in pattern:
        return f"{column} = {p(pattern)}"
    parts = pattern.split(WILDCARD)
    ordered = f'{column} COLLATE "C"' if p.postgres else column
    conditions = []
    if parts[0]:
        conditions.append(f"{ordered} >= {p(parts[0])}")
        upper = prefix_successor(parts[0])
        if upper is not None:
            conditions.append(f"{ordered} < {p(upper)}")
    if p.postgres:
        escaped = (re.sub(r"([\\%_])", r"\\\1", part) for part in parts)
        conditions.append(f"{column} LIKE {p('%'.join(escaped))} ESCAPE '\\'")
    else:
        glob = "*".join(re.sub(r"[\[\]?*]", lambda m: f"[{m.group()}]", part) for part in parts)
        conditions.append(f"{column} GLOB {p(glob)}")
    return f"({' AND '.join(conditions)})"


def has_tag(p: Params, tag: str, alias: str = "e") -> str:
    """The event's contact carries `tag` (jsonb containment on PostgreSQL, json_each on SQLite)."""
    if p.postgres:
        return (
            f"{alias}.contact_id IN (SELECT c.id FROM whatsapp_contact c "
            f"WHERE c.tags @> {p(json.dumps([tag]))}::jsonb)"
        )
    return (
        f"EXISTS (SELECT 1 FROM whatsapp_contact c, json_each(c.tags) t "
        f"WHERE c.id = {alias}.contact_id AND t.value = {p(tag)})"
    )


ROLLUP_COLUMNS = {"template": "template", "phoneNumberId": "phone_number_id", "flow": "flow"}
"""The hourly rollup's column for each property it keeps (whatsapp.analytics.rollup)."""


def selection(p: Params, where: EventSelection, *, rolled: bool = False) -> list[str]:
    """The SQL conditions for a selection (field paths are relative to `filter`), on event
    rows or, `rolled`, on the hourly rollup's rows (which keep no tag: never asked with one)."""
    out: list[str] = []
    if where.name is not None:
        out.append(name_matches(p, where.name, "filter", "name"))
    if where.source is not None:
        out.append(f"e.source = {p(where.source)}")
    for key, value in (
        ("template", where.template),
        ("phoneNumberId", where.phone_number_id),
        ("flow", where.flow),
    ):
        if value is not None:
            column = f"e.{ROLLUP_COLUMNS[key]}" if rolled else prop(p, key)
            out.append(f"{column} = {p(value)}")
    if where.automation_id is not None:
        automation = parse_id(where.automation_id, "filter", "automationId", what="automation id")
        if rolled:
            out.append(f"e.automation_id = {p(automation)}")
        else:
            out.append(
                "e.caused_by_automation_run_id IN (SELECT r.id FROM whatsapp_automation_run r "
                f"WHERE r.automation_id = {p(automation)})"
            )
    if where.tag is not None:
        if rolled:
            raise ValueError("the rollup keeps no tags: a tag filter reads the event log")
        out.append(has_tag(p, where.tag))
    return out
