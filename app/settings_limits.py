"""The settings that bound what a request, a connection and a background statement may use
(query depth, tokens and cost, body sizes and depth, live subscriptions, the key cache, the
analytics statement timeout): one group of `Settings`, kept apart so each module stays small."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings


class RequestLimits(BaseSettings):
    max_query_depth: int = Field(
        12,
        validation_alias="WAGRAPH_MAX_QUERY_DEPTH",
        description="GraphQL depth limit.",
    )
    max_query_tokens: int = Field(
        4000,
        validation_alias="WAGRAPH_MAX_QUERY_TOKENS",
        description="GraphQL document size limit (tokens).",
    )
    max_query_cost: int = Field(
        10_000,
        validation_alias="WAGRAPH_MAX_QUERY_COST",
        ge=1,
        description="The most a GraphQL request may cost (schema/cost.py: about one per value "
        "in the response, pages counted at their size); past it, QUERY_TOO_COSTLY.",
    )
    max_response_bytes: int = Field(
        10_000_000,
        validation_alias="WAGRAPH_MAX_RESPONSE_BYTES",
        ge=1024,
        description="The largest GraphQL response over HTTP; past it, RESPONSE_TOO_LARGE.",
    )
    introspection: bool | None = Field(
        None,
        validation_alias="WAGRAPH_INTROSPECTION",
        description="Schema introspection (__schema, __type). Unset: on, off in production.",
    )
    graphiql: bool | None = Field(
        None,
        validation_alias="WAGRAPH_GRAPHIQL",
        description="Serve GraphiQL at GET /graphql. Unset: on, off in production.",
    )
    max_body_bytes: int = Field(
        1_000_000,
        validation_alias="WAGRAPH_MAX_BODY_BYTES",
        description="Largest JSON request body (413 above).",
    )
    max_webhook_bytes: int = Field(
        3 * 1024 * 1024,
        validation_alias="WAGRAPH_MAX_WEBHOOK_BYTES",
        description="Largest webhook body accepted (413 above).",
    )
    max_json_depth: int = Field(
        64,
        validation_alias="WAGRAPH_MAX_JSON_DEPTH",
        ge=8,
        le=512,
        description="Deepest nesting of arrays and objects in a JSON request body (GraphQL or "
        "webhook); deeper bodies get 400 before they are parsed.",
    )
    unverified_body_budget_bytes: int = Field(
        64 * 1024 * 1024,
        validation_alias="WAGRAPH_UNVERIFIED_BODY_BUDGET_BYTES",
        gt=0,
        description="Bytes of webhook and Flows bodies held at once, in total, before their "
        "signatures are checked; past it 503 with Retry-After. At least the largest body.",
    )
    unverified_body_timeout_s: float = Field(
        30.0,
        validation_alias="WAGRAPH_UNVERIFIED_BODY_TIMEOUT",
        gt=0,
        description="Seconds a webhook or Flows body may take to arrive (408 after).",
    )
    analytics_timeout_s: float = Field(
        10.0,
        validation_alias="WAGRAPH_ANALYTICS_TIMEOUT",
        ge=0,
        description="Seconds one analytics statement may run on PostgreSQL before it is "
        "cancelled with QUERY_TIMEOUT (0: no limit).",
    )

    live_max_subscriptions: int = Field(
        20,
        validation_alias="WAGRAPH_LIVE_MAX_SUBSCRIPTIONS",
        ge=1,
        description="Operations (subscriptions) one websocket connection may run at once.",
    )
    live_queue_size: int = Field(
        100,
        validation_alias="WAGRAPH_LIVE_QUEUE_SIZE",
        ge=1,
        description="Updates held per subscription for a slow client; past it the oldest "
        "are dropped and the next update says how many (`missed`).",
    )
    live_channel: str = Field(
        "wagraph:live",
        validation_alias="WAGRAPH_LIVE_CHANNEL",
        description="The Redis pub/sub channel live updates cross processes on.",
    )
    automation_cache_ttl_s: float = Field(
        1.0,
        validation_alias="WAGRAPH_AUTOMATION_CACHE_TTL",
        ge=0,
        le=60,
        description="Seconds the enabled automations are matched from memory instead of "
        "the table; a change made in another process takes effect here within it (one saved "
        "here, at once). 0 reads the table for every event.",
    )
    key_cache_ttl_s: float = Field(
        1.0,
        validation_alias="WAGRAPH_KEY_CACHE_TTL",
        ge=0,
        le=60,
        description="Seconds an authenticated API key is trusted without a query; also how "
        "often open websockets re-check their key. A revoke or scope change made in another "
        "process takes effect here within it. 0 turns the cache off.",
    )
    key_cache_size: int = Field(
        10_000,
        validation_alias="WAGRAPH_KEY_CACHE_SIZE",
        ge=1,
        description="Authenticated keys the cache holds (least recently used out first).",
    )
    key_changes_channel: str = Field(
        "wagraph:keys",
        validation_alias="WAGRAPH_KEY_CHANGES_CHANNEL",
        description="With Redis, the pub/sub channel revokes and scope changes reach every "
        "process on at once (the cache TTL remains the fallback).",
    )
