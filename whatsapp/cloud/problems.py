"""Meta's refusals, translated into the problems our clients see."""

from __future__ import annotations

from whatsapp.cloud import codes
from whatsapp.cloud.client import CloudApiError, CloudError
from whatsapp.cloud.codes import CLOUD_CODE_TO_ERROR
from whatsapp.kit.errors import ErrorCode, Problem

# What a code means and what to do, where Meta's own title does not say.
EXPLANATIONS: dict[int, str] = {
    codes.MARKETING_TEMPLATES_DISABLED: (
        "Marketing templates are disabled on the Cloud API for this WhatsApp Business "
        "Account, so Meta refused this MARKETING template. Send marketing templates through "
        "the Marketing Messages API: accept its terms for the business portfolio (in WhatsApp "
        "Manager, or through your solution provider), then set "
        "WAGRAPH_MARKETING_MESSAGES_API=true so that wagraph sends MARKETING templates to "
        "/marketing_messages. Utility and authentication templates are not affected. If the "
        "setting is already on, marketing messages are turned off for this account: check its "
        "status in WhatsApp Manager."
    ),
}


def problem_from_stored(code: int | None, title: str | None, details: str | None) -> Problem:
    error_code = CLOUD_CODE_TO_ERROR.get(code or 0, ErrorCode.CLOUD_API_ERROR)
    message = f"Cloud API: {title or 'request failed'}" + (f" — {details}" if details else "")
    if code in EXPLANATIONS:
        message = f"{message}. {EXPLANATIONS[code]}"
    return Problem(error_code, message, None, code)


def problem_from_cloud(exc: CloudError) -> Problem:
    if isinstance(exc, CloudApiError):
        return problem_from_stored(exc.code, exc.title, exc.details)
    return Problem(ErrorCode.CLOUD_API_ERROR, f"Could not reach the Cloud API: {exc}")
