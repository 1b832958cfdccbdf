"""Every root field's arguments, checked at the edge before its resolver runs.

`schema.fields` adds `CheckedArguments` to every query and mutation, so no resolver meets a
NUL, a lone surrogate, an unbounded string or list, JSON nested without end, or an id of no
known shape (`whatsapp.kit.inputs`, `whatsapp.kit.ids`): each is INVALID_INPUT at the
argument's path (`input.content.text.body`, `filter.status`), all of a request's problems at
once. A query reports it as an error with that code and field, a mutation as its payload's
`errors` (`schema.errors.ErrorsAsData`).

What only the database knows is handled here too: a value longer than its column
(`whatsapp.kit.columns`) can match no row, so a lookup finds nothing — null, an empty list, or
NOT_FOUND for a connection — and a write gets INVALID_INPUT naming the argument.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.file_uploads import Upload
from strawberry.scalars import JSON
from strawberry.types.base import (
    StrawberryList,
    StrawberryOptional,
    has_object_definition,
)
from strawberry.types.field import StrawberryField
from strawberry.utils.str_converters import to_camel_case

from schema.context import Info
from whatsapp.kit.columns import column_max_length
from whatsapp.kit.errors import ErrorCode, FieldPath, Problem, WagraphError
from whatsapp.kit.ids import id_problem
from whatsapp.kit.inputs import json_problem, list_problem, text_problem

MAX_PROBLEMS = 20  # reported per request; the rest follow once these are fixed


class CheckedArguments(FieldExtension):
    """Refuses bad arguments before the resolver; turns an over-long lookup into "not found"."""

    def __init__(self, *, lookup: bool) -> None:
        self.lookup = lookup  # a query (finds nothing) rather than a mutation (refused)

    def apply(self, field: StrawberryField) -> None:
        self.field = field
        self.names = {a.python_name: _name(a) for a in field.arguments}
        self.types = {a.python_name: a.type for a in field.arguments}

    def resolve(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        self.refuse_bad(kwargs)
        try:
            return next_(source, info, **kwargs)
        except Exception as exc:
            return self.after(exc, kwargs)

    async def resolve_async(self, next_: Any, source: Any, info: Info, **kwargs: Any) -> Any:
        self.refuse_bad(kwargs)
        try:
            return await next_(source, info, **kwargs)
        except Exception as exc:
            return self.after(exc, kwargs)

    def refuse_bad(self, kwargs: dict[str, Any]) -> None:
        problems = list(self.problems(kwargs))
        if problems:
            raise WagraphError(problems[:MAX_PROBLEMS])

    def after(self, exc: Exception, kwargs: dict[str, Any]) -> Any:
        """An exception of the resolver: a value too long for its column, else re-raised."""
        limit = column_max_length(exc)
        path = None if limit is None else self.longer_than(kwargs, limit)
        if limit is None or path is None:
            raise exc
        return self.too_long(path, limit)

    def problems(self, kwargs: dict[str, Any]) -> Iterator[Problem]:
        for python_name, value in kwargs.items():
            if python_name in self.types:
                yield from _check(value, self.types[python_name], (self.names[python_name],))

    def longer_than(self, kwargs: dict[str, Any], limit: int) -> FieldPath | None:
        """The first argument string longer than the column that refused it."""
        for python_name, value in kwargs.items():
            if python_name not in self.names:
                continue
            for path, text in _strings(value, (self.names[python_name],)):
                if len(text) > limit:
                    return path
        return None

    def too_long(self, path: FieldPath, limit: int) -> Any:
        if not self.lookup:
            message = f"Must be at most {limit} characters"
            raise WagraphError([Problem(ErrorCode.INVALID_INPUT, message, path)])
        type_ = self.field.type
        if isinstance(type_, StrawberryOptional):
            return None
        if isinstance(type_, StrawberryList):
            return []
        message = f"Nothing matches: no stored value is longer than {limit} characters"
        raise WagraphError([Problem(ErrorCode.NOT_FOUND, message, path)])


def _name(argument: Any) -> str:
    return argument.graphql_name or to_camel_case(argument.python_name)


def _check(value: Any, type_: Any, path: FieldPath) -> Iterator[Problem]:
    """Every problem of one argument value, walking input objects and lists by their types."""
    if value is None or value is strawberry.UNSET:
        return
    if isinstance(type_, StrawberryOptional):
        type_ = type_.of_type
    if type_ is JSON:
        problem = json_problem(value)
    elif isinstance(type_, StrawberryList) and isinstance(value, list):
        problem = list_problem(value)
        if problem is None:
            for index, item in enumerate(value):
                yield from _check(item, type_.of_type, (*path, str(index)))
            return
    elif has_object_definition(value):
        for field in value.__strawberry_definition__.fields:
            name = field.graphql_name or to_camel_case(field.python_name)
            yield from _check(getattr(value, field.python_name), field.type, (*path, name))
        return
    elif type_ is Upload:
        problem = None if not isinstance(value, str) else "Must be a file (a multipart upload)"
    elif type_ is strawberry.ID and isinstance(value, str):
        problem = id_problem(value)
    elif isinstance(value, str):
        problem = text_problem(value)
    else:
        problem = None
    if problem is not None:
        yield Problem(ErrorCode.INVALID_INPUT, problem, path)


def _strings(value: Any, path: FieldPath) -> Iterator[tuple[FieldPath, str]]:
    """Every string inside an argument value, with its path (JSON values as a whole)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, str(index)))
    elif has_object_definition(value):
        for field in value.__strawberry_definition__.fields:
            name = field.graphql_name or to_camel_case(field.python_name)
            yield from _strings(getattr(value, field.python_name), (*path, name))
