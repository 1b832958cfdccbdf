"""Settings for the Graph API: its version, and where MARKETING templates are sent."""

from __future__ import annotations

from typing import Any

import pytest

from app.runtime import build_runtime
from app.settings import Settings


def settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_the_default_graph_api_version_is_current_and_configurable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("META_GRAPH_API_VERSION", raising=False)
    assert settings().graph_api_version == "v25.0"

    monkeypatch.setenv("META_GRAPH_API_VERSION", "v26.0")
    assert settings().graph_api_version == "v26.0"


@pytest.mark.parametrize(
    ("values", "enabled"),
    [
        pytest.param({}, True, id="built-in-sandbox"),
        pytest.param({"graph_api_base_url": "https://graph.facebook.com"}, False, id="real-api"),
        pytest.param({"sandbox_enabled": False}, False, id="no-sandbox-real-api"),
        pytest.param(
            {"graph_api_base_url": "https://graph.facebook.com", "marketing_messages_api": True},
            True,
            id="turned-on",
        ),
        pytest.param({"marketing_messages_api": False}, False, id="turned-off"),
    ],
)
def test_marketing_messages_api_is_on_by_default_only_with_the_built_in_sandbox(
    monkeypatch: pytest.MonkeyPatch, values: dict[str, Any], enabled: bool
) -> None:
    for name in ("WAGRAPH_MARKETING_MESSAGES_API", "META_GRAPH_API_BASE_URL", "WAGRAPH_SANDBOX"):
        monkeypatch.delenv(name, raising=False)

    assert settings(**values).marketing_messages_enabled is enabled


async def test_the_runtime_carries_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAGRAPH_MARKETING_MESSAGES_API", "false")

    runtime = build_runtime(settings())
    try:
        assert runtime.marketing_messages_api is False
    finally:
        await runtime.aclose()
