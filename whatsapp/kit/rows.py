"""Reading list pages without Tortoise's per-row machinery: one decoding plan a column set.

A Tortoise model built from a row costs far more than its SQL: `Model._init_from_db` sets its
bookkeeping through `Model.__setattr__`, and a row read with `.only(…)` (a page without its
JSON documents) falls to a fallback that rebuilds sets of every field's name for each row. On
PostgreSQL a page of 1,000 events took 19 ms whole and 14 ms `.only(…)`, of which 6.5 and 3
were the statement. Here the statement a queryset would run is run as is, and each record is
decoded by a plan made once per model and column set: the same conversions Tortoise applies
(none for driver-native types, the field's type for plain ones, `to_python_value` for the
rest), written straight into the instance.

The rows are ordinary model instances. One that lacks columns is marked partial, so Tortoise
refuses to save it whole, and simply lacks the attributes it was not read with.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from tortoise.fields import DatetimeField, Field
from tortoise.models import Model
from tortoise.queryset import QuerySet
from tortoise.timezone import get_default_timezone, get_use_tz

M = TypeVar("M", bound=Model)
Step = tuple[str, str, Callable[[Any], Any] | None]
"""(column, attribute, converter or None); a NULL is None whatever the field (true of every
field the models use: Datetime, JSON, CharEnum, UUID, Boolean, Char, Int fields)."""

_PLANS: dict[tuple[type[Model], tuple[str, ...]], tuple[tuple[Step, ...], bool]] = {}


def _plan(model: type[Model], keys: tuple[str, ...]) -> tuple[tuple[Step, ...], bool]:
    """How to decode records with these columns (others, such as a window's `_rn`, are
    skipped), and whether they lack some of the model's columns."""
    found = _PLANS.get((model, keys))
    if found is not None:
        return found
    meta = model._meta
    steps: dict[str, Step] = {}
    for key, attr, _ in meta.db_native_fields:
        steps[key] = (key, attr, None)
    for key, attr, field in meta.db_default_fields:
        steps[key] = (key, attr, field.field_type)
    for key, attr, field in meta.db_complex_fields:
        steps[key] = (key, attr, _converter(field))
    plan = tuple(steps[key] for key in keys if key in steps)
    found = (plan, len(plan) < len(steps))
    _PLANS[(model, keys)] = found
    return found


def _converter(field: Field[Any]) -> Callable[[Any], Any]:
    """The field's `to_python_value`; for a timestamp the driver already gave with its zone
    (asyncpg's timestamptz), straight to the configured zone, as Tortoise ends up doing after
    its checks (a page has a dozen timestamps a row: the checks were a tenth of a page)."""
    if not isinstance(field, DatetimeField) or not get_use_tz():
        return field.to_python_value
    zone = get_default_timezone()
    slow = field.to_python_value

    def to_python(value: Any) -> Any:
        if type(value) is datetime and value.tzinfo is not None:
            return value.astimezone(zone)
        return slow(value)

    return to_python


def decode(model: type[M], records: Sequence[Mapping[str, Any]]) -> list[M]:
    """Model instances of `records` (rows of `model`'s table, any subset of its columns)."""
    if not records:
        return []
    plan, partial = _plan(model, tuple(records[0].keys()))
    custom_pk = model._meta.db_pk_column not in model._meta.generated_db_fields
    new = model.__new__
    rows: list[M] = []
    for record in records:
        row = new(model)
        values = row.__dict__
        values["_partial"] = partial
        values["_saved_in_db"] = True
        values["_custom_generated_pk"] = custom_pk
        values["_await_when_save"] = {}
        for key, attr, convert in plan:
            value = record[key]
            if convert is not None and value is not None:
                value = convert(value)
            values[attr] = value
        rows.append(row)
    return rows


async def select(query: QuerySet[M]) -> list[M]:
    """The rows `query` would return (its filters, order, limit and `.only(…)` columns)."""
    query._choose_db_if_not_chosen()
    query._make_query()
    sql, params = query.query.get_parameterized_sql()
    _, records = await query._db.execute_query(sql, list(params))
    return decode(query.model, records)


def without(query: QuerySet[M], columns: Sequence[str]) -> QuerySet[M]:
    """`query` reading every column of its model but `columns` (a page's unread JSON)."""
    projection = query.model._meta.fields_db_projection  # complete once Tortoise is set up
    return query.only(*(name for name in projection if name not in columns))


async def by_ids(model: type[M], keys: Sequence[uuid.UUID]) -> dict[Any, M]:
    """Whole rows of `model` by primary key, in one statement (a DataLoader's batch)."""
    return {row.pk: row for row in await select(model.filter(id__in=list(keys)))}
