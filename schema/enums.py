"""GraphQL enums, the same values as the stored ones."""

from __future__ import annotations

from enum import StrEnum

import strawberry

from models import enums as model_enums
from whatsapp.kit.errors import ErrorCode as CoreErrorCode

MessageStatus = strawberry.enum(
    model_enums.MessageStatus, description="Where a message is in its life."
)
MessageDirection = strawberry.enum(model_enums.MessageDirection)
MessageType = strawberry.enum(model_enums.MessageType)
SessionStatus = strawberry.enum(model_enums.SessionStatus)
ApiKeyScope = strawberry.enum(model_enums.ApiKeyScope)
ErrorCode = strawberry.enum(CoreErrorCode, description="Machine-readable reason of a UserError.")


@strawberry.enum
class TemplateButtonSubType(StrEnum):
    QUICK_REPLY = "QUICK_REPLY"
    URL = "URL"
    COPY_CODE = "COPY_CODE"
    FLOW = "FLOW"
