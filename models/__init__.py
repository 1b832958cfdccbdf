"""Tortoise models, one module per aggregate. This package is the only source of migrations."""

from models.api_key import ApiKey
from models.automation import WhatsAppAutomation, WhatsAppAutomationRun
from models.contact import WhatsAppConsentChange, WhatsAppContact, WhatsAppContactIdentity
from models.enums import (
    ApiKeyScope,
    AutomationRunStatus,
    ConsentState,
    IdentityKind,
    InboxStatus,
    MessageDirection,
    MessageStatus,
    MessageType,
    SessionStatus,
)
from models.event import WhatsAppAnalyticsEvent
from models.media import WhatsAppMedia
from models.message import WhatsAppMessage
from models.message_status import WhatsAppMessageStatus
from models.session import WhatsAppSession
from models.template import WhatsAppTemplate
from models.webhook import WebhookDelivery

__all__ = [
    "ApiKey",
    "ApiKeyScope",
    "AutomationRunStatus",
    "ConsentState",
    "IdentityKind",
    "InboxStatus",
    "MessageDirection",
    "MessageStatus",
    "MessageType",
    "SessionStatus",
    "WebhookDelivery",
    "WhatsAppAnalyticsEvent",
    "WhatsAppAutomation",
    "WhatsAppAutomationRun",
    "WhatsAppConsentChange",
    "WhatsAppContact",
    "WhatsAppContactIdentity",
    "WhatsAppMedia",
    "WhatsAppMessage",
    "WhatsAppMessageStatus",
    "WhatsAppSession",
    "WhatsAppTemplate",
]
