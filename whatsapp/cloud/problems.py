"""Meta's refusals, translated into the problems our clients see."""

from __future__ import annotations

from whatsapp.cloud.client import CloudApiError, CloudError
from whatsapp.cloud.codes import CLOUD_CODE_TO_ERROR
from whatsapp.kit.errors import ErrorCode, Problem


def problem_from_stored(code: int | None, title: str | None, details: str | None) -> Problem:
    error_code = CLOUD_CODE_TO_ERROR.get(code or 0, ErrorCode.CLOUD_API_ERROR)
    message = f"Cloud API: {title or 'request failed'}" + (f" — {details}" if details else "")
    return Problem(error_code, message, None, code)


def problem_from_cloud(exc: CloudError) -> Problem:
    if isinstance(exc, CloudApiError):
        return problem_from_stored(exc.code, exc.title, exc.details)
    return Problem(ErrorCode.CLOUD_API_ERROR, f"Could not reach the Cloud API: {exc}")
