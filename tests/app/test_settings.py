"""Settings: the seed's names, and no start outside development without real secrets."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.settings import Settings


def test_business_id_accepts_the_seeds_alias(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("META_WHATSAPP_BUSINESS_ID", raising=False)
    monkeypatch.setenv("META_WHATSAPP_BUSINESS_ACCOUNT_ID", "987654321")

    assert Settings(_env_file=None).meta_business_id == "987654321"  # type: ignore[call-arg]


@pytest.mark.parametrize("environment", ["test", "production"])
def test_no_start_outside_development_without_an_app_secret(
    monkeypatch: pytest.MonkeyPatch, environment: str
) -> None:
    monkeypatch.setenv("WAGRAPH_ENV", environment)
    monkeypatch.delenv("META_APP_SECRET", raising=False)

    with pytest.raises(ValidationError, match="META_APP_SECRET"):
        Settings(_env_file=None)  # type: ignore[call-arg]


def test_production_also_needs_its_own_automation_signing_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WAGRAPH_ENV", "production")
    monkeypatch.setenv("META_APP_SECRET", "a-real-secret")

    with pytest.raises(ValidationError, match="WAGRAPH_AUTOMATION_WEBHOOK_SECRET"):
        Settings(_env_file=None)  # type: ignore[call-arg]


def test_secrets_are_not_in_the_settings_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("META_ACCESS_TOKEN", "EAAG-very-secret")

    assert "EAAG-very-secret" not in repr(Settings(_env_file=None))  # type: ignore[call-arg]


def test_rate_limit_is_capped_at_metas_top_tier(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAGRAPH_RATE_LIMIT_MPS", "5000")

    with pytest.raises(ValidationError):
        Settings(_env_file=None)  # type: ignore[call-arg]
