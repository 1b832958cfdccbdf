"""The schema: Query and Mutation roots composed from the resolvers, plus the safety limits."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.extensions import (
    MaxAliasesLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.tools import merge_types

from resolvers import api_keys, media, messages
from resolvers.automations import AutomationMutation, AutomationQuery
from resolvers.templates import TemplateMutation, TemplateQuery
from schema.extensions import MaskUnexpectedErrors, wagraph_error_to_graphql
from schema.payloads import (
    CreateApiKeyPayload,
    MarkAsReadPayload,
    SendMessagePayload,
    UploadMediaPayload,
)
from schema.permissions import CanRead, CanWrite, IsAdmin
from schema.sessions import SessionQuery
from schema.types import Message, MessageConnection
from whatsapp.kit.errors import WagraphError


def _read(resolver: Any) -> Any:
    return strawberry.field(resolver=resolver, permission_classes=[CanRead])


def _write(resolver: Any, description: str | None = None) -> Any:
    return strawberry.mutation(
        resolver=resolver, permission_classes=[CanWrite], description=description
    )


@strawberry.type
class MessageQuery:
    message: Message | None = _read(messages.message)
    messages: MessageConnection = _read(messages.messages)


@strawberry.type
class MessageMutation:
    send_message: SendMessagePayload = _write(
        messages.send_message, "Send text, media, location, contacts, interactive or flow content."
    )
    send_template: SendMessagePayload = _write(messages.send_template, "Send an approved template.")
    send_reaction: SendMessagePayload = _write(
        messages.send_reaction, 'React to a message; an empty emoji "" removes the reaction.'
    )
    mark_as_read: MarkAsReadPayload = _write(messages.mark_as_read)
    cancel_scheduled_message: SendMessagePayload = _write(
        messages.cancel_scheduled_message, "Cancel a SCHEDULED message (NOT_CANCELLABLE otherwise)."
    )
    reschedule_message: SendMessagePayload = _write(
        messages.reschedule_message, "Move a SCHEDULED message to another time."
    )
    upload_media: UploadMediaPayload = _write(media.upload_media)
    create_api_key: CreateApiKeyPayload = strawberry.mutation(
        resolver=api_keys.create_api_key, permission_classes=[IsAdmin]
    )


# Each domain contributes its own Query/Mutation part; the roots are their union.
Query = merge_types("Query", (MessageQuery, SessionQuery, AutomationQuery, TemplateQuery))
Mutation = merge_types("Mutation", (MessageMutation, AutomationMutation, TemplateMutation))


class _WagraphErrorsInQueries(SchemaExtension):
    """A query resolver's WagraphError (a bad cursor, say) keeps its code and field."""

    def on_operation(self) -> Any:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        result.errors = [
            wagraph_error_to_graphql(e.original_error, e)
            if isinstance(e.original_error, WagraphError)
            else e
            for e in result.errors
        ]


def build_schema(*, max_depth: int = 12, max_tokens: int = 4000, max_aliases: int = 30) -> Any:
    # Validation rules are built once and cached with the parsed documents: per-request
    # construction defeats ValidationCache (stack-notes: ~3x slower).
    depth = QueryDepthLimiter(max_depth=max_depth)
    aliases = MaxAliasesLimiter(max_alias_count=max_aliases)
    rules = [*depth.validation_rules, *aliases.validation_rules]

    class Limits(SchemaExtension):
        def on_operation(self) -> Any:
            ctx = self.execution_context
            ctx.validation_rules = (*ctx.validation_rules, *rules)
            ctx.parse_options["max_tokens"] = max_tokens
            yield

    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        extensions=[
            Limits,
            ParserCache,
            ValidationCache,
            MaskUnexpectedErrors,
            _WagraphErrorsInQueries,
        ],
    )


def sdl() -> str:
    return str(build_schema())
