"""The action registry: the listed modules by type, and a malformed module refused at once."""

from __future__ import annotations

import re
import types
from typing import Any

import pytest

from whatsapp.automations import actions
from whatsapp.automations.actions import notify, tag, template, webhook
from whatsapp.kit.errors import Problem


def action_module(name: str = "probe", **members: Any) -> types.ModuleType:
    module = types.ModuleType(name)
    for key, value in members.items():
        setattr(module, key, value)
    return module


def validate(config: Any) -> list[Problem]:
    return []


async def run(ctx: Any, config: Any) -> dict[str, Any]:
    return {}


async def preview(ctx: Any, config: Any) -> dict[str, Any]:
    return {}


WELL_FORMED = {"validate": validate, "run": run, "preview": preview}


def test_the_listed_modules_are_the_action_types() -> None:
    assert dict(actions.action_types()) == {
        "notify": notify,
        "tag": tag,
        "template": template,
        "webhook": webhook,
    }
    assert actions.get("webhook") is webhook
    assert actions.get("sms") is None
    assert actions.get(None) is None


def test_a_well_formed_module_is_registered_by_its_type() -> None:
    module = action_module(TYPE="sms", **WELL_FORMED)

    assert dict(actions.registry([module])) == {"sms": module}


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({"validate": validate, "run": run}, "needs TYPE and validate()"),
        ({"TYPE": "sms", "run": run}, "needs TYPE and validate()"),
        ({"TYPE": "sms", "validate": validate}, "needs `async def run(ctx, config)`"),
        ({"TYPE": "sms", "validate": validate, "run": validate}, "needs `async def run"),
        (
            {"TYPE": "sms", "validate": validate, "run": run},
            "needs `async def preview(ctx, config)`",
        ),
        (
            {"TYPE": "sms", "validate": validate, "run": run, "preview": validate},
            "needs `async def preview",
        ),
    ],
)
def test_the_registry_refuses_a_malformed_module(members: dict[str, Any], message: str) -> None:
    with pytest.raises(TypeError, match=re.escape(message)):
        actions.registry([action_module(**members)])


def test_the_registry_refuses_a_type_declared_twice() -> None:
    first = action_module("first", TYPE="tag", **WELL_FORMED)
    second = action_module("second", TYPE="tag", **WELL_FORMED)

    with pytest.raises(TypeError, match="declared twice"):
        actions.registry([first, second])
