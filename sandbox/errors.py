"""Meta's error codes and the exact envelopes they travel in.

Synchronous failures raise `GraphError`; the Graph face turns it into Meta's
`{"error": {...}}` body in one place. Later failures use `webhook_error` inside a `failed` status.

Code choice (documented in README): 100 = unknown key or wrong JSON type (Graph's own parameter
layer), 131008 = required parameter absent, 131009 = value present but out of limits, malformed
or not one of the allowed values, 131051 = message type the Cloud API (or this sandbox) does not
send.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ERROR_DOCS_URL = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"


@dataclass(frozen=True, slots=True)
class ErrorSpec:
    """What Meta answers for one code: the HTTP status and the title inside `(#code) title`."""

    http_status: int
    title: str


CODES: dict[int, ErrorSpec] = {
    0: ErrorSpec(401, "AuthException"),
    1: ErrorSpec(400, "Invalid request or possible server error"),
    2: ErrorSpec(503, "Temporary due to downtime or due to being overloaded"),
    3: ErrorSpec(500, "Capability or permissions issue"),
    4: ErrorSpec(400, "Too many API calls"),
    10: ErrorSpec(403, "Permission is either not granted or has been removed"),
    33: ErrorSpec(400, "Parameter value is not valid"),
    100: ErrorSpec(400, "Invalid parameter"),
    190: ErrorSpec(401, "Invalid OAuth access token - Cannot parse access token"),
    200: ErrorSpec(403, "Permission error"),
    368: ErrorSpec(403, "Temporarily blocked for policies violations"),
    2500: ErrorSpec(400, "Unknown path components"),
    80007: ErrorSpec(400, "Rate limit issues"),
    130429: ErrorSpec(400, "Rate limit hit"),
    130472: ErrorSpec(400, "User's number is part of an experiment"),
    130497: ErrorSpec(400, "Business account is restricted from messaging users in this country"),
    131000: ErrorSpec(500, "Something went wrong"),
    131005: ErrorSpec(403, "Access denied"),
    131008: ErrorSpec(400, "Required parameter is missing"),
    131009: ErrorSpec(400, "Parameter value is not valid"),
    131016: ErrorSpec(503, "Service unavailable"),
    131020: ErrorSpec(400, "Bad Group"),  # Groups API: a group with only the business in it
    131021: ErrorSpec(400, "Recipient cannot be sender"),
    131026: ErrorSpec(400, "Message undeliverable"),
    131030: ErrorSpec(400, "Recipient phone number not in allowed list"),
    131031: ErrorSpec(403, "Account has been locked"),
    131041: ErrorSpec(400, "Group unknown"),
    131042: ErrorSpec(400, "Business eligibility payment issue"),
    131045: ErrorSpec(400, "Incorrect certificate"),
    131047: ErrorSpec(400, "Re-engagement message"),
    131048: ErrorSpec(400, "Spam rate limit hit"),
    131049: ErrorSpec(
        400, "This message was not delivered to maintain healthy ecosystem engagement."
    ),
    131050: ErrorSpec(400, "User has stopped marketing messages"),
    131051: ErrorSpec(400, "Unsupported message type"),
    131052: ErrorSpec(400, "Media download error"),
    131053: ErrorSpec(400, "Media upload error"),
    # Not in the reference's table: the Marketing Messages API's answer for a non-MARKETING
    # template, as 360dialog documents it (README: "Marketing Messages API").
    131055: ErrorSpec(400, "Method not allowed"),
    131056: ErrorSpec(400, "(Business Account, Consumer Account) pair rate limit hit"),
    131057: ErrorSpec(400, "Account in maintenance mode"),
    131062: ErrorSpec(400, "Business-scoped User ID (BSUID) recipients are not supported"),
    131063: ErrorSpec(400, "Marketing template messages are disabled on Cloud API"),
    131207: ErrorSpec(403, "Group suspended"),
    132000: ErrorSpec(400, "Number of parameters does not match the expected number of params"),
    132001: ErrorSpec(404, "Template name does not exist in the translation"),
    132005: ErrorSpec(400, "Translated text too long"),
    132007: ErrorSpec(400, "Template Format Character Policy Violated"),
    132008: ErrorSpec(400, "Template parameter value is not valid"),
    132012: ErrorSpec(400, "Parameter format does not match format in the created template"),
    132015: ErrorSpec(400, "Template is Paused"),
    132016: ErrorSpec(400, "Template is Disabled"),
    133000: ErrorSpec(500, "Incomplete deregistration"),
    133004: ErrorSpec(503, "Server temporarily unavailable"),
    133010: ErrorSpec(400, "Phone number Not Registered"),
    135000: ErrorSpec(400, "Generic user error"),
}

# Details Meta puts on the later (webhook) failures the sandbox reproduces.
LATER_DETAILS: dict[int, str] = {
    131026: "Message Undeliverable.",
    131047: (
        "Message failed to send because more than 24 hours have passed since the customer "
        "last replied to this number."
    ),
    131053: "Media upload error",
    131009: "Parameter value is not valid",
    131049: (
        "In order to maintain a healthy ecosystem engagement, the message failed to be delivered."
    ),
    131050: (
        "Unable to deliver the message. This recipient has chosen to stop receiving marketing "
        "messages on WhatsApp from your business."
    ),
    130497: "The business account is restricted from messaging users in this country.",
}


def spec_for(code: int) -> ErrorSpec:
    """The spec of a code; unknown codes behave like a generic 400 so fault queues can use any."""
    return CODES.get(code, ErrorSpec(400, "Generic user error"))


class GraphError(Exception):
    """A synchronous Graph API failure, rendered as Meta's `{"error": ...}` envelope."""

    def __init__(
        self,
        code: int,
        details: str | None = None,
        *,
        subcode: int | None = None,
        message: str | None = None,
        error_type: str = "OAuthException",
        status: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        spec = spec_for(code)
        self.extra = extra
        self.code = code
        self.details = details
        self.subcode = subcode
        self.message = message if message is not None else f"(#{code}) {spec.title}"
        self.error_type = error_type
        self.status = status if status is not None else spec.http_status
        super().__init__(self.message if details is None else f"{self.message}: {details}")

    def body(self, fbtrace_id: str) -> dict[str, Any]:
        error: dict[str, Any] = {
            "message": self.message,
            "type": self.error_type,
            "code": self.code,
        }
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        if self.details is not None:
            error["error_data"] = {"messaging_product": "whatsapp", "details": self.details}
        if self.extra:
            error.update(self.extra)
        error["fbtrace_id"] = fbtrace_id
        return {"error": error}


def missing(details: str) -> GraphError:
    """131008: a required parameter is absent (or null)."""
    return GraphError(131008, details)


def invalid(details: str) -> GraphError:
    """131009: a parameter is present but its value breaks a limit or format."""
    return GraphError(131009, details)


def bad_param(details: str) -> GraphError:
    """100: an unknown key, a wrong JSON type or an unsupported enum value."""
    return GraphError(100, details)


def unsupported_type(details: str) -> GraphError:
    """131051: a message type that cannot be sent."""
    return GraphError(131051, details)


def object_not_found(method: str, object_id: str) -> GraphError:
    """Graph's answer for an unknown node (wrong PNID, WABA, media or template id)."""
    return GraphError(
        100,
        subcode=33,
        error_type="GraphMethodException",
        message=(
            f"Unsupported {method.lower()} request. Object with ID '{object_id}' does not exist, "
            "cannot be loaded due to missing permissions, or does not support this operation. "
            "Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api"
        ),
    )


def unknown_path(path: str) -> GraphError:
    return GraphError(2500, message=f"Unknown path components: {path}")


def webhook_error(code: int, details: str | None = None) -> dict[str, Any]:
    """The error object of a `failed` status (§3.2)."""
    title = spec_for(code).title
    return {
        "code": code,
        "title": title,
        "message": title,
        "error_data": {"details": details or LATER_DETAILS.get(code, title)},
        "href": ERROR_DOCS_URL,
    }
