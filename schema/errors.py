"""Errors are data: `UserError`, and the one place a `WagraphError` becomes a payload's `errors`.

Every mutation is declared with `schema.fields.mutation`, which adds `ErrorsAsData`: a core
function raises, the client gets the payload with `errors` filled and everything else null.
Anything that is not a `WagraphError` is a bug and is masked (`schema.extensions`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.types.base import has_object_definition
from strawberry.types.field import StrawberryField
from strawberry.utils.str_converters import to_camel_case

from schema.context import Info
from schema.observability import count_payload_errors, log_client_error
from whatsapp.kit.errors import ErrorCode, FieldPath, Problem, WagraphError

strawberry.enum(ErrorCode, description="Machine-readable reason of a UserError.")


@strawberry.type(description="Something the caller can fix (or Meta refused), as data.")
class UserError:
    code: ErrorCode = strawberry.field(description="What went wrong, for programs.")
    message: str = strawberry.field(description="What went wrong, for people.")
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


class ErrorsAsData(FieldExtension):
    """A mutation's `WagraphError` becomes its payload, with `errors` and nothing else set.

    Core functions name fields relative to the argument they were given, so one rule makes
    every path start at an argument of the mutation: a path that already starts with one
    (`id`, `messageId`, `scheduleFor`, `waId`) stays; any other lies inside the mutation's
    input object and gets its argument name (`input`) in front.
    """

    def apply(self, field: StrawberryField) -> None:
        self.field = field  # its type, the payload, is read on the first error (resolved by then)
        self.arguments = frozenset(_graphql_name(a) for a in field.arguments)
        inputs = [_graphql_name(a) for a in field.arguments if _is_input_object(a.type)]
        self.prefix: FieldPath = (inputs[0],) if len(inputs) == 1 else ()

    async def resolve_async(self, next_: Any, source: Any, info: Info, **kwargs: Any) -> Any:
        try:
            return await next_(source, info, **kwargs)
        except WagraphError as exc:
            first = exc.problems[0]
            log_client_error(first.code.value, first.message, operation_of_info(info))
            count_payload_errors([problem.code.value for problem in exc.problems])
            payload: Any = self.field.type
            return payload(
                errors=[UserError.from_problem(self.at_argument(p)) for p in exc.problems]
            )

    def at_argument(self, problem: Problem) -> Problem:
        path = problem.field
        if not path or path[0] in self.arguments:
            return problem
        return replace(problem, field=(*self.prefix, *path))


def _graphql_name(argument: Any) -> str:
    return argument.graphql_name or to_camel_case(argument.python_name)


def _is_input_object(type_: Any) -> bool:
    return has_object_definition(type_) and type_.__strawberry_definition__.is_input


def operation_of_info(info: Info) -> str | None:
    operation = info.operation
    return operation.name.value if operation is not None and operation.name else None
