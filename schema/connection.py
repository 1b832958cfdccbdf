"""Cursor pagination for GraphQL: one generic connection over the core's keyset `Page`.

A domain names its page type by subclassing, e.g.
`class MessageConnection(Connection[Message])`, so that each keeps its own description;
the edge keeps strawberry's generic name (`MessageEdge`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, Protocol, Self, TypeVar

import strawberry

from whatsapp.kit.paging import COUNT_CAP, Page

TOTAL_COUNT = (
    f"How many items match, exact up to {COUNT_CAP:,}; beyond that it says {COUNT_CAP:,} and "
    "totalCountCapped is true (counting millions of rows on every page would cost more than the "
    "page). Counted on demand, once per connection."
)
TOTAL_COUNT_CAPPED = (
    f"More than {COUNT_CAP:,} items match: totalCount then says {COUNT_CAP:,}, a lower bound."
)
NodeT = TypeVar("NodeT")
RowT = TypeVar("RowT")


class Paged(Protocol):
    """What PageInfo needs of a page: the core's `Page` and the timeline's page both fit."""

    @property
    def has_next(self) -> bool: ...

    @property
    def end_cursor(self) -> str | None: ...


@strawberry.type(description="Where a page ends, and whether more items follow.")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="More items follow: pass endCursor as `after` to get them."
    )
    end_cursor: str | None = strawberry.field(
        description="The cursor of the page's last item; null when the page is empty."
    )

    @classmethod
    def of(cls, page: Paged) -> PageInfo:
        return cls(has_next_page=page.has_next, end_cursor=page.end_cursor)


@strawberry.type(description="One item of a page, with the cursor that resumes after it.")
class Edge(Generic[NodeT]):
    cursor: str = strawberry.field(description="Pass as `after` to continue after this item.")
    node: NodeT = strawberry.field(description="The item.")


@strawberry.type
class _Counted:
    """totalCount comes first in every connection (strawberry lists a base's fields first)."""

    _page: strawberry.Private[Page[Any]]

    @strawberry.field(description=TOTAL_COUNT)
    async def total_count(self) -> int:
        return await self._page.total_count()

    @strawberry.field(description=TOTAL_COUNT_CAPPED)
    async def total_count_capped(self) -> bool:
        return (await self._page.count()).capped


@strawberry.type(description="A page of items, with cursors to page on.")
class Connection(_Counted, Generic[NodeT]):
    edges: list[Edge[NodeT]] = strawberry.field(description="The items of this page, in order.")
    page_info: PageInfo = strawberry.field(description="Where this page ends.")

    @classmethod
    def from_page(cls, page: Page[RowT], node: Callable[[RowT], NodeT]) -> Self:
        """The page's rows, each turned into its GraphQL type by `node`."""
        return cls(
            edges=[
                Edge(cursor=cursor, node=node(row))
                for row, cursor in zip(page.items, page.cursors, strict=True)
            ],
            page_info=PageInfo.of(page),
            _page=page,
        )
