"""Meta's refusals as our clients see them: the error code, and what to do where Meta is terse."""

from __future__ import annotations

from whatsapp.cloud import codes
from whatsapp.cloud.problems import problem_from_stored
from whatsapp.kit.errors import ErrorCode


def test_marketing_templates_disabled_says_what_it_means_and_what_to_do() -> None:
    problem = problem_from_stored(
        codes.MARKETING_TEMPLATES_DISABLED, "Marketing templates disabled", None
    )

    assert (problem.code, problem.cloud_api_code) == (ErrorCode.CLOUD_API_ERROR, 131063)
    assert problem.message.startswith("Cloud API: Marketing templates disabled. ")
    assert "disabled on the Cloud API for this WhatsApp Business Account" in problem.message
    assert "Marketing Messages API" in problem.message
    assert "WAGRAPH_MARKETING_MESSAGES_API=true" in problem.message


def test_other_codes_keep_metas_words() -> None:
    problem = problem_from_stored(codes.TEMPLATE_NOT_FOUND, "Template name does not exist", "x")

    assert problem.message == "Cloud API: Template name does not exist — x"
    assert problem.code == ErrorCode.TEMPLATE_NOT_FOUND
