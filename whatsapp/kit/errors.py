"""Expected failures of the core, as data.

Core functions raise `WagraphError`; the faces turn its `problems` into GraphQL `UserError`s
(or CLI messages) in one place. Anything else that escapes is a bug: masked and logged.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum


class ErrorCode(StrEnum):
    INVALID_INPUT = "INVALID_INPUT"
    INVALID_RECIPIENT = "INVALID_RECIPIENT"
    OUTSIDE_SERVICE_WINDOW = "OUTSIDE_SERVICE_WINDOW"
    TEMPLATE_NOT_FOUND = "TEMPLATE_NOT_FOUND"
    TEMPLATE_NOT_APPROVED = "TEMPLATE_NOT_APPROVED"
    TEMPLATE_PARAMETER_MISMATCH = "TEMPLATE_PARAMETER_MISMATCH"
    MEDIA_TOO_LARGE = "MEDIA_TOO_LARGE"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    NOT_FOUND = "NOT_FOUND"
    NOT_CANCELLABLE = "NOT_CANCELLABLE"
    RATE_LIMITED = "RATE_LIMITED"
    CLOUD_API_ERROR = "CLOUD_API_ERROR"
    IDEMPOTENCY_CONFLICT = "IDEMPOTENCY_CONFLICT"
    CONFIGURATION_ERROR = "CONFIGURATION_ERROR"
    OPTED_OUT = "OPTED_OUT"
    QUERY_TIMEOUT = "QUERY_TIMEOUT"


FieldPath = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a request: what, where (a path into the input), and Meta's code."""

    code: ErrorCode
    message: str
    field: FieldPath | None = None
    cloud_api_code: int | None = None


class WagraphError(Exception):
    """An expected failure carrying one or more problems."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        if not problems:
            raise ValueError("WagraphError needs at least one problem")
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("; ".join(p.message for p in self.problems))

    @classmethod
    def of(
        cls,
        code: ErrorCode,
        message: str,
        field: Iterable[str] | None = None,
        cloud_api_code: int | None = None,
    ) -> WagraphError:
        return cls(
            [Problem(code, message, tuple(field) if field is not None else None, cloud_api_code)]
        )

    @property
    def code(self) -> ErrorCode:
        return self.problems[0].code


def invalid(message: str, *field: str) -> WagraphError:
    """Shorthand for the commonest failure: one bad input field."""
    return WagraphError.of(ErrorCode.INVALID_INPUT, message, field or None)


class ProblemCollector:
    """Gathers every problem in an input before failing, so a client fixes them in one round."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, message: str, *field: str, code: ErrorCode = ErrorCode.INVALID_INPUT) -> None:
        self.problems.append(Problem(code, message, field or None))

    def raise_if_any(self) -> None:
        if self.problems:
            raise WagraphError(self.problems)
