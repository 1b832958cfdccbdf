"""Going live is safe: production talks to Meta, and a configuration's every problem is
listed at once, one line each, naming the variable — never a traceback, never a secret."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError

from app.cli.check import setting_variables
from app.cli.common import settings_problems
from app.settings import Settings

ROOT = Path(__file__).resolve().parents[2]

# What an operator going live sets (values are placeholders; none is the sandbox's).
LIVE = {
    "WAGRAPH_ENV": "production",
    "DATABASE_URL": "postgres://wagraph@db.internal:5432/wagraph",
    "META_ACCESS_TOKEN": "EAAG-live-token",
    "META_PHONE_NUMBER_ID": "123456789012345",
    "META_WHATSAPP_BUSINESS_ID": "987654321098765",
    "META_APP_SECRET": "live-app-secret",
    "META_VERIFY_TOKEN": "live-verify-token",
    "WAGRAPH_AUTOMATION_WEBHOOK_SECRET": "live-signing-secret",
    "WAGRAPH_SECRETS_KEY": Fernet.generate_key().decode(),
}
REQUIRED_IN_PRODUCTION = [name for name in LIVE if name not in ("WAGRAPH_ENV", "DATABASE_URL")]


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No setting from the process's environment leaks into these tests."""
    for variable in [*setting_variables(), "META_WHATSAPP_BUSINESS_ACCOUNT_ID"]:
        monkeypatch.delenv(variable, raising=False)
    return monkeypatch


def load() -> Settings:
    return Settings(_env_file=None)  # type: ignore[call-arg]


def problems_of(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> list[str]:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as caught:
        load()
    return settings_problems(caught.value)


def test_production_talks_to_meta_and_never_starts_the_sandbox_unasked(
    clean_env: pytest.MonkeyPatch,
) -> None:
    for name, value in LIVE.items():
        clean_env.setenv(name, value)

    settings = load()

    assert settings.graph_base_url == "https://graph.facebook.com"
    assert settings.sandbox_enabled is False and not settings.uses_built_in_sandbox
    assert settings.marketing_messages_enabled is False


def test_production_runs_the_sandbox_only_when_asked_for_by_name(
    clean_env: pytest.MonkeyPatch,
) -> None:
    # A demo deployment: production's secrets, the sandbox's account.
    for name in ("WAGRAPH_ENV", "META_APP_SECRET", "WAGRAPH_AUTOMATION_WEBHOOK_SECRET"):
        clean_env.setenv(name, LIVE[name])
    clean_env.setenv("WAGRAPH_SECRETS_KEY", LIVE["WAGRAPH_SECRETS_KEY"])
    clean_env.setenv("WAGRAPH_SANDBOX", "true")

    settings = load()

    assert settings.uses_built_in_sandbox
    assert settings.graph_base_url == f"http://127.0.0.1:{settings.sandbox_port}"


def test_development_keeps_the_sandbox(clean_env: pytest.MonkeyPatch) -> None:
    settings = load()

    assert settings.uses_built_in_sandbox
    assert settings.graph_base_url.startswith("http://127.0.0.1:")


def test_production_lists_every_missing_setting_at_once(clean_env: pytest.MonkeyPatch) -> None:
    problems = problems_of(clean_env, {"WAGRAPH_ENV": "production"})

    for variable in REQUIRED_IN_PRODUCTION:
        assert sum(line.startswith(f"{variable} ") for line in problems) == 1, (variable, problems)
    assert len(problems) == len(REQUIRED_IN_PRODUCTION)


def test_values_that_do_not_parse_come_with_the_cross_setting_problems(
    clean_env: pytest.MonkeyPatch,
) -> None:
    env = {**LIVE, "WAGRAPH_PORT": "eighty", "WAGRAPH_RATE_LIMIT_MPS": "0"}
    del env["META_VERIFY_TOKEN"]

    problems = problems_of(clean_env, env)

    assert [line.split(":")[0].split(" ")[0] for line in problems] == [
        "WAGRAPH_PORT",
        "WAGRAPH_RATE_LIMIT_MPS",
        "META_VERIFY_TOKEN",
    ]
    assert "eighty" not in "\n".join(problems)


def test_a_bad_secret_is_named_never_shown(clean_env: pytest.MonkeyPatch) -> None:
    problems = problems_of(
        clean_env, {**LIVE, "WAGRAPH_SECRETS_KEY": "oops-this-is-the-secret-value"}
    )

    assert len(problems) == 1 and problems[0].startswith("WAGRAPH_SECRETS_KEY")
    assert "oops-this-is-the-secret-value" not in problems[0]


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("", "DATABASE_URL is empty"),
        ("  ", "DATABASE_URL is empty"),
        ("mysql://db/wagraph", "DATABASE_URL must start with sqlite:// or postgres://"),
    ],
)
def test_a_database_url_that_cannot_work_is_refused(
    clean_env: pytest.MonkeyPatch, url: str, says: str
) -> None:
    assert problems_of(clean_env, {"DATABASE_URL": url})[0].startswith(says)


def test_a_redis_url_that_is_not_redis_is_refused(clean_env: pytest.MonkeyPatch) -> None:
    problems = problems_of(clean_env, {"REDIS_URL": "localhost:6379"})

    assert problems[0].startswith("REDIS_URL must be redis://")


def test_env_example_documents_every_setting() -> None:
    text = (ROOT / ".env.example").read_text()
    documented = {line.lstrip("# ").split("=", 1)[0] for line in text.splitlines() if "=" in line}

    missing = [variable for variable in setting_variables() if variable not in documented]

    assert not missing, (
        f"{missing} missing from .env.example: run `wagraph check --env-example > .env.example`"
    )
