"""Hourly counts of the event log, so that charts over weeks read thousands of rows, not millions.

`whatsapp.analytics.rollup` fills `whatsapp_event_rollup` for closed UTC hours and records in
`whatsapp_rollup_state` which hours it covers; `eventSeries` reads the covered hours here and
the rest (the current hour, an uncovered edge) from the event log, so its counts are the same
as counting events one by one.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class WhatsAppEventRollup(Model):
    """How many events of one UTC hour share these dimensions (eventSeries' filters).

    The property values are text, as the event filters compare them."""

    id = fields.BigIntField(primary_key=True)
    hour = fields.DatetimeField()
    name = fields.CharField(max_length=128)
    source = fields.CharField(max_length=64)
    template = fields.TextField(null=True)
    phone_number_id = fields.TextField(null=True)
    flow = fields.TextField(null=True)
    automation_id = fields.UUIDField(null=True)
    count = fields.IntField()

    class Meta:
        table = "whatsapp_event_rollup"
        indexes = (Index(fields=("hour",), name="idx_event_rollup_hour"),)


class WhatsAppRollupState(Model):
    """Which hours a rollup covers: [covered_from, covered_until), both whole UTC hours."""

    name = fields.CharField(max_length=32, primary_key=True)
    covered_from = fields.DatetimeField(null=True)
    covered_until = fields.DatetimeField(null=True)
    rolled_at = fields.DatetimeField(null=True)

    class Meta:
        table = "whatsapp_rollup_state"
