"""UserError: expected failures, returned as data in every mutation payload."""

from __future__ import annotations

import strawberry

from schema.enums import ErrorCode
from whatsapp.kit.errors import Problem


@strawberry.type(description="Something the caller can fix (or Meta refused), as data.")
class UserError:
    code: ErrorCode
    message: str
    field: list[str] | None = strawberry.field(
        default=None, description="Path to the offending input field."
    )
    cloud_api_code: int | None = strawberry.field(
        default=None, description="Meta's error code when the Cloud API refused."
    )

    @classmethod
    def from_problem(cls, problem: Problem) -> UserError:
        return cls(
            code=problem.code,
            message=problem.message,
            field=list(problem.field) if problem.field else None,
            cloud_api_code=problem.cloud_api_code,
        )
