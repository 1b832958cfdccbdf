"""Expected failures become `errors` in the payload, converted here and nowhere else."""

from __future__ import annotations

from schema.errors import UserError
from whatsapp.kit.errors import WagraphError


def user_errors(exc: WagraphError, prefix: tuple[str, ...] = ("input",)) -> list[UserError]:
    """Field paths start at the mutation's argument, as clients see it."""
    return [
        UserError.from_problem(p)
        if p.field is None
        else UserError(
            code=p.code,
            message=p.message,
            field=[*prefix, *p.field],
            cloud_api_code=p.cloud_api_code,
        )
        for p in exc.problems
    ]
