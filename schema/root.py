"""The schema: each domain's Query/Mutation part, merged. The only module that sees resolvers.

The order of the parts is the order of the root fields in the SDL (`schema.graphql`).
"""

from __future__ import annotations

import strawberry

from resolvers.access import AccessMutation, AccessQuery
from resolvers.accounts import AccountQuery
from resolvers.analytics import AnalyticsQuery
from resolvers.analytics_stats import AnalyticsStatsQuery
from resolvers.automations import AutomationMutation, AutomationQuery
from resolvers.calls import CallQuery
from resolvers.conversations import ConversationMutation, ConversationQuery
from resolvers.events import EventQuery
from resolvers.groups import GroupQuery
from resolvers.messages import MessageMutation, MessageQuery
from resolvers.subscriptions import Subscription
from resolvers.templates import TemplateMutation, TemplateQuery
from resolvers.webhooks import WebhookMutation, WebhookQuery
from schema.extensions import DEFAULT_MAX_COST, schema_extensions
from schema.observability import WagraphSchema


@strawberry.type(description="Reads; any API key may read.")
class Query(
    MessageQuery,
    ConversationQuery,
    EventQuery,
    AutomationQuery,
    TemplateQuery,
    WebhookQuery,
    CallQuery,
    AccountQuery,
    GroupQuery,
    AnalyticsQuery,
    AnalyticsStatsQuery,
    AccessQuery,
):
    pass


@strawberry.type(
    description="Changes: a write key (admin where a field says so); failures come as `errors`."
)
class Mutation(
    MessageMutation,
    AccessMutation,
    AutomationMutation,
    ConversationMutation,
    TemplateMutation,
    WebhookMutation,
):
    pass


def build_schema(
    *,
    max_depth: int = 12,
    max_tokens: int = 4000,
    max_aliases: int = 30,
    max_cost: int = DEFAULT_MAX_COST,
    introspection: bool = True,
) -> strawberry.Schema:
    return WagraphSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=schema_extensions(
            max_depth=max_depth,
            max_tokens=max_tokens,
            max_aliases=max_aliases,
            max_cost=max_cost,
            introspection=introspection,
        ),
    )


def sdl() -> str:
    return str(build_schema())
