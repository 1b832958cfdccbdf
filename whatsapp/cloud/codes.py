"""Meta's error codes that we act on, named once (reference: cloud-api.md §3.3, §4, §11).

Meta keys its errors on `code` (titles may change), and the same code can come back in the
HTTP answer or later in a `failed` status webhook. Every test of a code in the core uses a
name from here.
"""

from __future__ import annotations

from whatsapp.kit.errors import ErrorCode

# -- transient: retrying can help --------------------------------------------------------------
UNKNOWN_API_ERROR = 1  # "unknown error / invalid request": worth one more try
SERVICE_DOWN = 2  # the API is temporarily down or overloaded (HTTP 503)
APP_RATE_LIMIT = 4  # the app made too many API calls; back off
WABA_RATE_LIMIT = 80007  # the business account made too many (management) calls; back off
THROUGHPUT = 130429  # the number's messages-per-second budget (80 by default) is spent
GENERIC_ERROR = 131000  # "something went wrong" at Meta (HTTP 500)
SERVICE_UNAVAILABLE = 131016  # service temporarily unavailable (HTTP 503)
PAIR_RATE_LIMIT = 131056  # more than ~1 message per 6 s to one customer; others unaffected
MAINTENANCE_MODE = 131057  # the account is briefly in maintenance (e.g. a throughput upgrade)
REGISTRATION_UNAVAILABLE = 133004  # the registration server is unavailable (HTTP 503)

# -- permanent: the request or the recipient must change ---------------------------------------
RECIPIENT_IS_SENDER = 131021  # the business number wrote to itself
UNDELIVERABLE = 131026  # not on WhatsApp, old app, terms not accepted, or blocked us
NOT_ALLOW_LISTED = 131030  # a test number sent to someone outside its allowed list
OUTSIDE_WINDOW = 131047  # free-form content after the 24-hour service window: send a template
MARKETING_LIMIT = 131049  # held back by Meta's per-user marketing limit: retry after 24 h
STOPPED_MARKETING = 131050  # the customer stopped marketing messages from this business
AUTH_TEMPLATE_TO_BSUID = 131062  # authentication templates cannot go to a BSUID (§11.2)
MARKETING_TEMPLATES_DISABLED = 131063  # marketing templates disabled on the Cloud API (§11.4)
TEMPLATE_PARAMETER_COUNT = 132000  # the parameters do not match the template's placeholders
TEMPLATE_NOT_FOUND = 132001  # no approved template of that name in that language
TEMPLATE_TEXT_TOO_LONG = 132005  # the template's text with its parameters is too long
TEMPLATE_PARAMETER_INVALID = 132008  # a parameter's value is not valid for its placeholder
TEMPLATE_PARAMETER_FORMAT = 132012  # a parameter's format does not match the template's
TEMPLATE_PAUSED = 132015  # paused by Meta for low quality
TEMPLATE_DISABLED = 132016  # permanently disabled by Meta

# Meta documents these as transient. PAIR_RATE_LIMIT is among them but needs ~6 s, longer
# than an inline retry may wait (see PAIR_RATE_LIMIT_WAIT_S).
RETRYABLE = frozenset(
    {
        UNKNOWN_API_ERROR,
        SERVICE_DOWN,
        APP_RATE_LIMIT,
        WABA_RATE_LIMIT,
        THROUGHPUT,
        GENERIC_ERROR,
        SERVICE_UNAVAILABLE,
        PAIR_RATE_LIMIT,
        MAINTENANCE_MODE,
        REGISTRATION_UNAVAILABLE,
    }
)
# Meta asking us to slow down, rather than refusing the message (`CloudApiError.throttled`).
THROTTLING = frozenset({APP_RATE_LIMIT, WABA_RATE_LIMIT, THROUGHPUT, PAIR_RATE_LIMIT})
# Meta's pair rate is about one message per 6 s to one customer.
PAIR_RATE_LIMIT_WAIT_S = 6.0

# Codes with a more precise meaning for our clients than CLOUD_API_ERROR.
CLOUD_CODE_TO_ERROR: dict[int, ErrorCode] = {
    TEMPLATE_NOT_FOUND: ErrorCode.TEMPLATE_NOT_FOUND,
    TEMPLATE_PAUSED: ErrorCode.TEMPLATE_NOT_APPROVED,
    TEMPLATE_DISABLED: ErrorCode.TEMPLATE_NOT_APPROVED,
    TEMPLATE_PARAMETER_COUNT: ErrorCode.TEMPLATE_PARAMETER_MISMATCH,
    TEMPLATE_TEXT_TOO_LONG: ErrorCode.TEMPLATE_PARAMETER_MISMATCH,
    TEMPLATE_PARAMETER_INVALID: ErrorCode.TEMPLATE_PARAMETER_MISMATCH,
    TEMPLATE_PARAMETER_FORMAT: ErrorCode.TEMPLATE_PARAMETER_MISMATCH,
    APP_RATE_LIMIT: ErrorCode.RATE_LIMITED,
    WABA_RATE_LIMIT: ErrorCode.RATE_LIMITED,
    THROUGHPUT: ErrorCode.RATE_LIMITED,
    PAIR_RATE_LIMIT: ErrorCode.RATE_LIMITED,
    RECIPIENT_IS_SENDER: ErrorCode.INVALID_RECIPIENT,
    UNDELIVERABLE: ErrorCode.INVALID_RECIPIENT,
    NOT_ALLOW_LISTED: ErrorCode.INVALID_RECIPIENT,
    OUTSIDE_WINDOW: ErrorCode.OUTSIDE_SERVICE_WINDOW,
    STOPPED_MARKETING: ErrorCode.OPTED_OUT,
    AUTH_TEMPLATE_TO_BSUID: ErrorCode.INVALID_RECIPIENT,
}
