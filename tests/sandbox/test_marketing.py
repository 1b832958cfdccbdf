"""Marketing in 2026: consent (§11.5), the Marketing Messages API (§11.4), category updates."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from sandbox import Sandbox
from tests.sandbox.conftest import (
    DISPLAY,
    MESSAGES,
    OPEN_CUSTOMER,
    PNID,
    WABA,
    Receiver,
    error_of,
    message,
)

MARKETING = f"/v25.0/{PNID}/marketing_messages"
STOPPED = "15550102002"  # seeded: pressed Stop (131050)
CAPPED = "15550103003"  # seeded: Meta's per-user marketing cap (131049)
DEMO_BSUID = "US.13491208655302741918"
PROMO = {  # seasonal_promo: MARKETING, NAMED parameters, IMAGE header
    "name": "seasonal_promo",
    "language": {"code": "en_US"},
    "components": [
        {"type": "header", "parameters": [{"type": "image", "image": {"id": "1013859600285441"}}]},
        {
            "type": "body",
            "parameters": [
                {"type": "text", "parameter_name": name, "text": value}
                for name, value in (
                    ("first_name", "Ana"),
                    ("sale_name", "summer"),
                    ("discount", "30%"),
                    ("end_date", "Sunday"),
                )
            ],
        },
    ],
}


def promo(to: str = OPEN_CUSTOMER, **extra: Any) -> dict[str, Any]:
    return message("template", to=to, template=PROMO, **extra)


async def wamid_of(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    return str(response.json()["messages"][0]["id"])


async def test_stop_and_resume_post_user_preferences(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    # when
    stop = await client.post(
        "/_sandbox/customers/@pablomorales/marketing-preference", json={"value": "stop"}
    )
    resume = await client.post(
        f"/_sandbox/customers/{OPEN_CUSTOMER}/marketing-preference", json={"value": "resume"}
    )
    assert resume.json()["customer"]["marketing"] == "resume"
    assert await sandbox.drain(5)

    # then: Meta's user_preferences shape, ids repeated in the preference
    assert stop.status_code == 200, stop.text
    first, second = hooks.of_field("user_preferences")
    assert first["metadata"] == {"display_phone_number": DISPLAY, "phone_number_id": PNID}
    assert first["contacts"][0]["profile"] == {"name": "Pablo M.", "username": "@pablomorales"}
    (preference,) = first["user_preferences"]
    assert isinstance(preference.pop("timestamp"), int)
    assert preference == {
        "user_id": "US.18402957316640219381",
        "parent_user_id": "US.ENT.11815799212886844830",
        "detail": "User requested to stop marketing messages",
        "category": "marketing_messages",
        "value": "stop",
    }
    assert second["user_preferences"][0]["wa_id"] == OPEN_CUSTOMER
    assert second["user_preferences"][0]["user_id"] == DEMO_BSUID
    assert second["user_preferences"][0]["value"] == "resume"
    assert stop.json()["customer"]["marketing"] == "stop"
    assert all(d.payload["entry"][0]["id"] == WABA for d in hooks.deliveries)


@pytest.mark.parametrize("path", [MESSAGES, MARKETING])
async def test_a_stopped_customer_gets_no_marketing(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver, path: str
) -> None:
    # given: the customer presses Stop
    await client.post(
        f"/_sandbox/customers/{OPEN_CUSTOMER}/marketing-preference", json={"value": "stop"}
    )

    # when
    marketing = await wamid_of(await client.post(path, json=promo()))
    utility = await wamid_of(await client.post(MESSAGES, json=message("template")))
    assert await sandbox.drain(5)

    # then: accepted, then failed 131050; other categories still flow
    (failed,) = hooks.statuses(marketing)
    assert failed["errors"][0]["code"] == 131050
    assert "stop receiving marketing" in failed["errors"][0]["error_data"]["details"]
    assert [s["status"] for s in hooks.statuses(utility)] == ["sent", "delivered", "read"]


async def test_resume_lets_marketing_through_again(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    await client.post(
        f"/_sandbox/customers/{STOPPED}/marketing-preference", json={"value": "resume"}
    )

    wamid = await wamid_of(await client.post(MESSAGES, json=promo(STOPPED)))
    assert await sandbox.drain(5)

    assert [s["status"] for s in hooks.statuses(wamid)] == ["sent", "delivered", "read"]


async def test_the_marketing_cap_fails_with_131049_until_lifted(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    capped = await wamid_of(await client.post(MARKETING, json=promo(CAPPED)))
    await client.patch(f"/_sandbox/customers/{CAPPED}", json={"marketing_limited": False})
    lifted = await wamid_of(await client.post(MARKETING, json=promo(CAPPED)))
    assert await sandbox.drain(5)

    assert [s["errors"][0]["code"] for s in hooks.statuses(capped)] == [131049]
    assert [s["status"] for s in hooks.statuses(lifted)] == ["sent", "delivered", "read"]


async def test_the_cap_can_also_answer_synchronously_through_the_fault_queue(
    client: httpx.AsyncClient,
) -> None:
    await client.post(
        "/_sandbox/faults", json={"queue": [{"code": 131049}], "path_contains": "marketing"}
    )

    error_of(await client.post(MARKETING, json=promo()), 400, 131049)
    assert (await client.post(MARKETING, json=promo())).status_code == 200


async def test_restricted_countries_fail_with_130497(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    set_ = await client.put("/_sandbox/config", json={"restricted_countries": ["GB"]})
    assert set_.json()["restricted_countries"] == ["GB"]

    uk = await wamid_of(await client.post(MESSAGES, json=message("template", to="447700900123")))
    us = await wamid_of(await client.post(MESSAGES, json=message("template")))
    assert await sandbox.drain(5)

    assert [s["errors"][0]["code"] for s in hooks.statuses(uk)] == [130497]
    assert hooks.statuses(us)[0]["status"] == "sent"
    bad = await client.put("/_sandbox/config", json={"restricted_countries": ["gbr"]})
    assert bad.status_code == 400


async def test_marketing_messages_api_bills_marketing_lite(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    # when
    response = await client.post(
        MARKETING, json=promo(biz_opaque_callback_data="c-1", message_activity_sharing=True)
    )
    assert await sandbox.drain(5)

    # then: the /messages success shape, marketing_lite pricing, the endpoint in the log
    assert response.json()["contacts"] == [{"input": OPEN_CUSTOMER, "wa_id": OPEN_CUSTOMER}]
    assert response.json()["messages"][0]["message_status"] == "accepted"
    wamid = response.json()["messages"][0]["id"]
    statuses = hooks.statuses(wamid)
    assert [s["status"] for s in statuses] == ["sent", "delivered", "read"]
    for status in statuses:
        assert status["pricing"] == {
            "billable": True,
            "pricing_model": "PMP",
            "category": "marketing_lite",
            "type": "regular",
        }
        assert status["biz_opaque_callback_data"] == "c-1"
    logged = (await client.get("/_sandbox/requests", params={"path_contains": "marketing"})).json()
    assert logged["requests"][0]["message"]["endpoint"] == "marketing_messages"
    assert logged["requests"][0]["message"]["category"] == "MARKETING"


async def test_marketing_messages_api_takes_bsuids(client: httpx.AsyncClient) -> None:
    body = promo()
    del body["to"]
    body["recipient"] = DEMO_BSUID

    response = await client.post(MARKETING, json=body)

    assert response.json()["contacts"] == [{"input": DEMO_BSUID, "user_id": DEMO_BSUID}]


@pytest.mark.parametrize(
    ("body", "code", "detail"),
    [
        (message(), 100, "Message must be a template message."),
        (
            {"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.X"},
            100,
            "template message",
        ),
        (message("template"), 131055, "MARKETING templates only"),
        (promo(message_activity_sharing="yes"), 100, "message_activity_sharing"),
        (promo(optimization_spec=[]), 100, "optimization_spec"),
        (promo(bid_spec={}), 100, "bid_spec"),
    ],
    ids=["text", "read", "utility", "sharing", "optimization", "bid_spec"],
)
async def test_marketing_messages_api_refusals(
    client: httpx.AsyncClient, body: dict[str, Any], code: int, detail: str
) -> None:
    error = error_of(await client.post(MARKETING, json=body), 400, code)

    assert detail in error["error_data"]["details"]


async def test_marketing_disabled_on_cloud_api_is_131063(client: httpx.AsyncClient) -> None:
    await client.put("/_sandbox/config", json={"cloud_api_marketing_disabled": True})

    error_of(await client.post(MESSAGES, json=promo()), 400, 131063)
    assert (await client.post(MESSAGES, json=message("template"))).status_code == 200
    assert (await client.post(MARKETING, json=promo())).status_code == 200


async def test_pricing_follows_per_message_pricing(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    marketing = await wamid_of(await client.post(MESSAGES, json=promo()))
    service = await wamid_of(await client.post(MESSAGES, json=message()))
    assert await sandbox.drain(5)

    assert hooks.statuses(marketing)[0]["pricing"] == {
        "billable": True,
        "pricing_model": "PMP",
        "category": "marketing",
        "type": "regular",
    }
    assert hooks.statuses(service)[0]["pricing"]["type"] == "free_customer_service"


# -- named parameters -------------------------------------------------------------------------


def named(*pairs: tuple[str, str]) -> dict[str, Any]:
    template = dict(PROMO)
    body = {
        "type": "body",
        "parameters": [{"type": "text", "parameter_name": n, "text": v} for n, v in pairs],
    }
    template["components"] = [PROMO["components"][0], body]  # type: ignore[index]
    return message("template", template=template)


@pytest.mark.parametrize(
    ("pairs", "code"),
    [
        ((("first_name", "Ana"), ("sale_name", "s"), ("discount", "1"), ("end", "x")), 132000),
        ((("first_name", "Ana"), ("sale_name", "s"), ("discount", "1")), 132000),
        ((("first_name", "Ana"),) * 4, 132000),
    ],
    ids=["wrong-name", "missing", "duplicate"],
)
async def test_named_parameters_are_checked_against_the_seeded_template(
    client: httpx.AsyncClient, pairs: tuple[tuple[str, str], ...], code: int
) -> None:
    error_of(await client.post(MESSAGES, json=named(*pairs)), 400, code)


async def test_positional_parameters_to_a_named_template_are_refused(
    client: httpx.AsyncClient,
) -> None:
    body = named(("first_name", "Ana"), ("sale_name", "s"), ("discount", "1"), ("end_date", "x"))
    for param in body["template"]["components"][1]["parameters"]:
        del param["parameter_name"]

    error_of(await client.post(MESSAGES, json=body), 400, 131008)


# -- template category updates -----------------------------------------------------------------


async def test_an_impending_category_change_only_announces(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    response = await client.post(
        "/_sandbox/templates/seasonal_promo/category",
        json={"category": "UTILITY", "stage": "impending", "effective_at": 1800000000},
    )
    assert await sandbox.drain(5)

    assert response.status_code == 200, response.text
    (value,) = hooks.of_field("template_category_update")
    assert value == {
        "message_template_id": 920070352646106,
        "message_template_name": "seasonal_promo",
        "message_template_language": "en_US",
        "correct_category": "UTILITY",
        "new_category": "MARKETING",
        "category_update_timestamp": 1800000000,
    }
    assert isinstance(hooks.deliveries[0].payload["entry"][0]["time"], int)
    assert sandbox.templates.get("seasonal_promo", "en_US").data["category"] == "MARKETING"  # type: ignore[union-attr]
    assert (await client.post(MARKETING, json=promo())).status_code == 200


async def test_a_completed_category_change_applies_now(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    # when: every language of order_update becomes MARKETING
    response = await client.post(
        "/_sandbox/templates/order_update/category", json={"category": "MARKETING"}
    )
    assert await sandbox.drain(5)

    # then
    values = hooks.of_field("template_category_update")
    assert sorted(v["message_template_language"] for v in values) == ["en_US", "es", "pt_BR"]
    assert all(
        (v["previous_category"], v["new_category"]) == ("UTILITY", "MARKETING") for v in values
    )
    assert all("correct_category" not in v for v in values)
    stored = sandbox.templates.get("order_update", "es")
    assert stored is not None
    assert (stored.data["category"], stored.data["previous_category"]) == ("MARKETING", "UTILITY")
    assert len(response.json()["webhooks"]) == 3


@pytest.mark.parametrize(
    ("name", "body", "status"),
    [
        ("seasonal_promo", {"category": "PROMO"}, 400),
        ("seasonal_promo", {"category": "MARKETING"}, 400),
        ("seasonal_promo", {"category": "UTILITY", "stage": "soon"}, 400),
        ("seasonal_promo", {"category": "UTILITY", "effective_at": "tomorrow"}, 400),
        ("no_such_template", {"category": "UTILITY"}, 404),
    ],
)
async def test_bad_category_changes(
    client: httpx.AsyncClient, name: str, body: dict[str, Any], status: int
) -> None:
    response = await client.post(f"/_sandbox/templates/{name}/category", json=body)

    assert response.status_code == status
