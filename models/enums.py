"""Enumerations stored in the database (as strings) and exposed through GraphQL."""

from __future__ import annotations

from enum import StrEnum


class MessageDirection(StrEnum):
    OUTBOUND = "OUTBOUND"
    INBOUND = "INBOUND"


class MessageStatus(StrEnum):
    SCHEDULED = "SCHEDULED"
    QUEUED = "QUEUED"
    SENDING = "SENDING"
    SENT = "SENT"
    DELIVERED = "DELIVERED"
    READ = "READ"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    RECEIVED = "RECEIVED"


class MessageType(StrEnum):
    TEXT = "TEXT"
    IMAGE = "IMAGE"
    VIDEO = "VIDEO"
    AUDIO = "AUDIO"
    DOCUMENT = "DOCUMENT"
    STICKER = "STICKER"
    LOCATION = "LOCATION"
    CONTACTS = "CONTACTS"
    BUTTONS = "BUTTONS"
    LIST = "LIST"
    CTA_URL = "CTA_URL"
    FLOW = "FLOW"
    TEMPLATE = "TEMPLATE"
    REACTION = "REACTION"
    INTERACTIVE_REPLY = "INTERACTIVE_REPLY"
    BUTTON_REPLY = "BUTTON_REPLY"
    ORDER = "ORDER"
    SYSTEM = "SYSTEM"
    UNSUPPORTED = "UNSUPPORTED"


class MessageOrigin(StrEnum):
    """Where an outbound message was written: through wagraph, or in the WhatsApp Business app
    on a coexistence number (Meta echoes those as `smb_message_echoes`)."""

    API = "API"
    BUSINESS_APP = "BUSINESS_APP"


class SessionStatus(StrEnum):
    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    EXPIRED = "EXPIRED"
    CANCELLED = "CANCELLED"


class ApiKeyScope(StrEnum):
    READ = "read"
    WRITE = "write"
    ADMIN = "admin"

    def allows(self, needed: ApiKeyScope) -> bool:
        order = (ApiKeyScope.READ, ApiKeyScope.WRITE, ApiKeyScope.ADMIN)
        return order.index(self) >= order.index(needed)


class InboxStatus(StrEnum):
    PENDING = "PENDING"
    PROCESSED = "PROCESSED"
    FAILED = "FAILED"


class AutomationRunStatus(StrEnum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    SKIPPED = "SKIPPED"


class IdentityKind(StrEnum):
    """The kinds of id Meta gives a person."""

    BSUID = "bsuid"
    WA_ID = "wa_id"


class ConsentState(StrEnum):
    OPTED_IN = "OPTED_IN"
    OPTED_OUT = "OPTED_OUT"
    UNKNOWN = "UNKNOWN"


class CallKind(StrEnum):
    """A call record is a voice call, or a customer's answer to a request for call permission."""

    CALL = "CALL"
    PERMISSION_REPLY = "PERMISSION_REPLY"


class DeadLetterStatus(StrEnum):
    """A webhook item set aside: waiting for a fix, applied by a replay, or discarded."""

    PENDING = "PENDING"
    REPLAYED = "REPLAYED"
    DISCARDED = "DISCARDED"
