"""Meta's refusals, translated into the problems our clients see."""

from __future__ import annotations

from whatsapp.cloud.client import CloudApiError, CloudError
from whatsapp.kit.errors import ErrorCode, Problem

# Meta's codes that have a more precise meaning for our clients than CLOUD_API_ERROR.
CLOUD_CODE_TO_ERROR: dict[int, ErrorCode] = {
    132001: ErrorCode.TEMPLATE_NOT_FOUND,
    132015: ErrorCode.TEMPLATE_NOT_APPROVED,
    132016: ErrorCode.TEMPLATE_NOT_APPROVED,
    132000: ErrorCode.TEMPLATE_PARAMETER_MISMATCH,
    132005: ErrorCode.TEMPLATE_PARAMETER_MISMATCH,
    132008: ErrorCode.TEMPLATE_PARAMETER_MISMATCH,
    132012: ErrorCode.TEMPLATE_PARAMETER_MISMATCH,
    4: ErrorCode.RATE_LIMITED,
    80007: ErrorCode.RATE_LIMITED,
    130429: ErrorCode.RATE_LIMITED,
    131056: ErrorCode.RATE_LIMITED,
    131021: ErrorCode.INVALID_RECIPIENT,
    131026: ErrorCode.INVALID_RECIPIENT,
    131030: ErrorCode.INVALID_RECIPIENT,
    131047: ErrorCode.OUTSIDE_SERVICE_WINDOW,
}


def problem_from_stored(code: int | None, title: str | None, details: str | None) -> Problem:
    error_code = CLOUD_CODE_TO_ERROR.get(code or 0, ErrorCode.CLOUD_API_ERROR)
    message = f"Cloud API: {title or 'request failed'}" + (f" — {details}" if details else "")
    return Problem(error_code, message, None, code)


def problem_from_cloud(exc: CloudError) -> Problem:
    if isinstance(exc, CloudApiError):
        return problem_from_stored(exc.code, exc.title, exc.details)
    return Problem(ErrorCode.CLOUD_API_ERROR, f"Could not reach the Cloud API: {exc}")
