"""Groups: read them and their messages (`sendMessage` with `recipientType: GROUP` sends)."""

from __future__ import annotations

import strawberry

from schema.fields import query
from schema.groups import Group, GroupConnection
from whatsapp.conversations import groups


async def group(id: strawberry.ID) -> Group | None:
    row = await groups.get_group(str(id))
    return Group.from_model(row) if row else None


async def list_groups(first: int | None = 20, after: str | None = None) -> GroupConnection:
    page = await groups.list_groups(first=first, after=after)
    return GroupConnection.from_page(page, Group.from_model)


@strawberry.type
class GroupQuery:
    group: Group | None = query(group, description="A group by our id or Meta's group id.")
    groups: GroupConnection = query(list_groups, description="Every group, newest first.")
