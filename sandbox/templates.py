"""The WABA's message templates: store, listing with cursors and filters, projections.

Templates are kept in Meta's listing shape (`id, name, language, status, category, components…`)
plus a precomputed `TemplateShape` the send checks use, so a send never re-parses components.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sandbox.errors import GraphError, bad_param

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
CATEGORIES = frozenset({"MARKETING", "UTILITY", "AUTHENTICATION"})
STATUSES = frozenset(
    {
        "APPROVED",
        "PENDING",
        "REJECTED",
        "PAUSED",
        "DISABLED",
        "IN_APPEAL",
        "REINSTATED",
        "FLAGGED",
        "PENDING_DELETION",
        "DELETED",
        "LIMIT_EXCEEDED",
        "ARCHIVED",
        "UNARCHIVED",
        "LOCKED",
    }
)
HEADER_FORMATS = frozenset({"TEXT", "IMAGE", "VIDEO", "DOCUMENT", "LOCATION"})
BUTTON_TYPES = frozenset(
    {
        "QUICK_REPLY",
        "URL",
        "PHONE_NUMBER",
        "COPY_CODE",
        "FLOW",
        "OTP",
        "CATALOG",
        "MPM",
    }
)
FIELDS = frozenset(
    {
        "id",
        "name",
        "language",
        "status",
        "category",
        "parameter_format",
        "components",
        "quality_score",
        "rejected_reason",
        "previous_category",
        "sub_category",
    }
)
DEFAULT_LIMIT = 25
MAX_LIMIT = 100
# Names with this prefix are REJECTED by the simulated review (documented in README).
REJECT_PREFIX = "reject_"


@dataclass(frozen=True, slots=True)
class ButtonShape:
    type: str  # QUICK_REPLY, URL, PHONE_NUMBER, COPY_CODE, FLOW, ...
    dynamic: bool  # URL button whose url ends with a variable


@dataclass(frozen=True, slots=True)
class TemplateShape:
    """What a send must supply: header kind and variables, body variables, buttons."""

    header_format: str | None
    header_vars: tuple[str, ...]
    body_vars: tuple[str, ...]
    buttons: tuple[ButtonShape, ...]
    body_only: bool
    named: bool


@dataclass(slots=True)
class StoredTemplate:
    seq: int
    data: dict[str, Any]
    shape: TemplateShape = field(init=False)

    def __post_init__(self) -> None:
        self.shape = shape_of(self.data)

    @property
    def key(self) -> tuple[str, str]:
        return (self.data["name"], self.data["language"])


def variables(text: str) -> tuple[str, ...]:
    """Distinct placeholders in order of first use ({{1}}, {{2}} or {{first_name}})."""
    seen: dict[str, None] = {}
    for match in PLACEHOLDER.finditer(text):
        seen.setdefault(match.group(1), None)
    return tuple(seen)


def shape_of(data: dict[str, Any]) -> TemplateShape:
    header_format: str | None = None
    header_vars: tuple[str, ...] = ()
    body_vars: tuple[str, ...] = ()
    buttons: list[ButtonShape] = []
    kinds: set[str] = set()
    for component in data.get("components", []):
        kind = str(component.get("type", "")).upper()
        kinds.add(kind)
        if kind == "HEADER":
            header_format = str(component.get("format", "TEXT")).upper()
            if header_format == "TEXT":
                header_vars = variables(component.get("text", ""))
        elif kind == "BODY":
            body_vars = variables(component.get("text", ""))
        elif kind == "BUTTONS":
            for button in component.get("buttons", []):
                btype = str(button.get("type", "")).upper()
                dynamic = btype == "URL" and bool(variables(button.get("url", "")))
                buttons.append(ButtonShape(btype, dynamic))
    return TemplateShape(
        header_format=header_format,
        header_vars=header_vars,
        body_vars=body_vars,
        buttons=tuple(buttons),
        body_only=kinds <= {"BODY"},
        named=data.get("parameter_format") == "NAMED",
    )


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(str(seq).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return int(base64.urlsafe_b64decode(padded.encode()).decode())
    except ValueError as exc:
        raise bad_param(f"Invalid cursor '{cursor}'") from exc


@dataclass(slots=True)
class Page:
    items: list[StoredTemplate]
    has_before: bool
    has_after: bool
    total: int


class TemplateStore:
    """Templates keyed by (name, language) and by id, in creation order."""

    def __init__(self) -> None:
        self._by_key: dict[tuple[str, str], StoredTemplate] = {}
        self._by_id: dict[str, StoredTemplate] = {}
        self._seq = 0

    def __len__(self) -> int:
        return len(self._by_key)

    def clear(self) -> None:
        self._by_key.clear()
        self._by_id.clear()
        self._seq = 0

    def get(self, name: str, language: str) -> StoredTemplate | None:
        return self._by_key.get((name, language))

    def by_id(self, template_id: str) -> StoredTemplate | None:
        return self._by_id.get(template_id)

    def languages_of(self, name: str) -> list[str]:
        return [lang for (n, lang) in self._by_key if n == name]

    def put(self, data: dict[str, Any]) -> StoredTemplate:
        """Insert, or replace in place (keeping its position) when (name, language) exists."""
        key = (data["name"], data["language"])
        existing = self._by_key.get(key)
        if existing is not None:
            del self._by_id[existing.data["id"]]
            stored = StoredTemplate(existing.seq, data)
        else:
            self._seq += 1
            stored = StoredTemplate(self._seq, data)
        self._by_key[key] = stored
        self._by_id[data["id"]] = stored
        return stored

    def set_status(self, stored: StoredTemplate, status: str) -> None:
        stored.data["status"] = status

    def delete(self, name: str, template_id: str | None = None) -> list[StoredTemplate]:
        doomed = [
            t
            for t in self._by_key.values()
            if t.data["name"] == name and (template_id is None or t.data["id"] == template_id)
        ]
        for stored in doomed:
            del self._by_key[stored.key]
            del self._by_id[stored.data["id"]]
        return doomed

    def page(
        self,
        *,
        filters: dict[str, str],
        limit: int,
        after: str | None,
        before: str | None,
    ) -> Page:
        """One page of matching templates; cursors are positions, robust to deletions."""
        matching = [t for t in self._by_key.values() if _matches(t.data, filters)]
        matching.sort(key=lambda t: t.seq)
        if after is not None:
            pivot = decode_cursor(after)
            tail = [t for t in matching if t.seq > pivot]
            items = tail[:limit]
            has_before = len(tail) < len(matching)
            has_after = len(tail) > limit
        elif before is not None:
            pivot = decode_cursor(before)
            head = [t for t in matching if t.seq < pivot]
            items = head[-limit:]
            has_before = len(head) > limit
            has_after = len(head) < len(matching)
        else:
            items = matching[:limit]
            has_before = False
            has_after = len(matching) > limit
        return Page(items, has_before, has_after, len(matching))


def _split(value: str) -> set[str]:
    return {part.strip() for part in value.split(",") if part.strip()}


def _matches(data: dict[str, Any], filters: dict[str, str]) -> bool:
    name = filters.get("name")
    if name and name.lower() not in data["name"].lower():
        return False
    for key in ("status", "category", "language"):
        wanted = filters.get(key)
        if wanted:
            value = data[key]
            wanted_set = (
                _split(wanted) if key == "language" else {w.upper() for w in _split(wanted)}
            )
            if value not in wanted_set:
                return False
    quality = filters.get("quality_score")
    if quality and data["quality_score"]["score"] not in {q.upper() for q in _split(quality)}:
        return False
    content = filters.get("content") or filters.get("name_or_content")
    if content:
        needle = content.lower()
        texts: Iterable[str] = (c.get("text", "") for c in data["components"])
        in_content = any(needle in text.lower() for text in texts)
        if filters.get("name_or_content"):
            in_content = in_content or needle in data["name"].lower()
        if not in_content:
            return False
    return True


def project(data: dict[str, Any], fields: list[str] | None) -> dict[str, Any]:
    """Graph `fields=` projection; `id` always comes back."""
    if fields is None:
        return dict(data)
    out: dict[str, Any] = {}
    for name in fields:
        if name in data:
            out[name] = data[name]
    out["id"] = data["id"]
    return out


def parse_fields(raw: str | None) -> list[str] | None:
    if raw is None or not raw.strip():
        return None
    fields = [f.strip() for f in raw.split(",") if f.strip()]
    for name in fields:
        if name not in FIELDS:
            raise GraphError(
                100,
                message=(
                    f"(#100) Tried accessing nonexisting field ({name}) on node type "
                    "(WhatsAppBusinessHSM)"
                ),
            )
    return fields
