"""Tortoise models, one module per aggregate. This package is the only source of migrations."""

from models.account import WhatsAppBusinessAccount, WhatsAppPhoneNumber
from models.api_key import ApiKey
from models.automation import WhatsAppAutomation, WhatsAppAutomationRun
from models.call import WhatsAppCall
from models.contact import WhatsAppConsentChange, WhatsAppContact, WhatsAppContactIdentity
from models.enums import (
    ApiKeyScope,
    AutomationRunStatus,
    CallKind,
    ConsentState,
    DeadLetterStatus,
    IdentityKind,
    InboxStatus,
    MessageDirection,
    MessageOrigin,
    MessageStatus,
    MessageType,
    SessionStatus,
)
from models.event import WhatsAppAnalyticsEvent
from models.event_rollup import WhatsAppEventRollup, WhatsAppRollupState
from models.group import WhatsAppGroup, WhatsAppGroupReceipt
from models.media import WhatsAppMedia
from models.message import WhatsAppMessage
from models.message_status import WhatsAppMessageStatus
from models.session import WhatsAppSession
from models.template import WhatsAppTemplate
from models.webhook import WebhookDeadLetter, WebhookDelivery

__all__ = [
    "ApiKey",
    "ApiKeyScope",
    "AutomationRunStatus",
    "CallKind",
    "ConsentState",
    "DeadLetterStatus",
    "IdentityKind",
    "InboxStatus",
    "MessageDirection",
    "MessageOrigin",
    "MessageStatus",
    "MessageType",
    "SessionStatus",
    "WebhookDeadLetter",
    "WebhookDelivery",
    "WhatsAppAnalyticsEvent",
    "WhatsAppAutomation",
    "WhatsAppAutomationRun",
    "WhatsAppBusinessAccount",
    "WhatsAppCall",
    "WhatsAppConsentChange",
    "WhatsAppContact",
    "WhatsAppContactIdentity",
    "WhatsAppEventRollup",
    "WhatsAppGroup",
    "WhatsAppGroupReceipt",
    "WhatsAppMedia",
    "WhatsAppMessage",
    "WhatsAppMessageStatus",
    "WhatsAppPhoneNumber",
    "WhatsAppRollupState",
    "WhatsAppSession",
    "WhatsAppTemplate",
]
