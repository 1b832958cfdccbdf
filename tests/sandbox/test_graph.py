"""Graph plumbing: auth (190), versions, unknown nodes (100/33) and paths (2500), node reads."""

from __future__ import annotations

import httpx
import pytest

from tests.sandbox.conftest import MESSAGES, PNID, TOKEN, WABA, error_of, message


@pytest.mark.parametrize(
    ("headers", "message_text"),
    [
        ({"Authorization": ""}, "An active access token must be used"),
        ({"Authorization": "Bearer wrong"}, "Invalid OAuth access token"),
        ({"Authorization": "Basic c2FuZGJveA=="}, "An active access token must be used"),
    ],
    ids=["missing", "wrong", "other-scheme"],
)
async def test_auth_failures_are_190_with_401(
    client: httpx.AsyncClient, headers: dict[str, str], message_text: str
) -> None:
    response = await client.post(MESSAGES, json=message(), headers=headers)

    error = error_of(response, 401, 190)
    assert error["type"] == "OAuthException"
    assert error["message"].startswith(message_text)
    assert set(error) == {"message", "type", "code", "error_data", "fbtrace_id"}
    assert response.headers["www-authenticate"].startswith('OAuth "Facebook Platform"')


async def test_access_token_query_parameter(client: httpx.AsyncClient) -> None:
    response = await client.post(
        MESSAGES, params={"access_token": TOKEN}, json=message(), headers={"Authorization": ""}
    )

    assert response.status_code == 200


async def test_oauth_scheme_is_accepted(client: httpx.AsyncClient) -> None:
    response = await client.post(
        MESSAGES, json=message(), headers={"Authorization": f"OAuth {TOKEN}"}
    )

    assert response.status_code == 200


@pytest.mark.parametrize("version", ["v13.0", "v21.0", "v26.0"])
async def test_any_version_prefix_is_served_and_echoed(
    client: httpx.AsyncClient, version: str
) -> None:
    response = await client.post(f"/{version}/{PNID}/messages", json=message())

    assert response.status_code == 200
    assert response.headers["facebook-api-version"] == version


async def test_bad_version_is_unknown_path(client: httpx.AsyncClient) -> None:
    response = await client.post(f"/latest/{PNID}/messages", json=message())

    assert "Unknown path components" in error_of(response, 400, 2500)["message"]


async def test_unknown_phone_number_id_is_100_subcode_33(client: httpx.AsyncClient) -> None:
    response = await client.post("/v23.0/123456789/messages", json=message())

    error = error_of(response, 400, 100)
    assert error["error_subcode"] == 33
    assert error["type"] == "GraphMethodException"
    assert error["message"] == (
        "Unsupported post request. Object with ID '123456789' does not exist, cannot be loaded "
        "due to missing permissions, or does not support this operation. Please read the Graph "
        "API documentation at https://developers.facebook.com/docs/graph-api"
    )


async def test_unknown_edge_is_2500(client: httpx.AsyncClient) -> None:
    response = await client.post(f"/v23.0/{PNID}/payments", json={})

    assert error_of(response, 400, 2500)["message"] == "Unknown path components: /payments"


async def test_wrong_method_on_known_edge_is_100_subcode_33(client: httpx.AsyncClient) -> None:
    response = await client.get(MESSAGES)

    assert error_of(response, 400, 100)["message"].startswith("Unsupported get request")


async def test_paths_outside_graph_are_2500(client: httpx.AsyncClient) -> None:
    response = await client.get("/v23.0/a/b/c")

    error_of(response, 400, 2500)


async def test_phone_number_node(client: httpx.AsyncClient) -> None:
    full = (await client.get(f"/v23.0/{PNID}")).json()
    throughput = (await client.get(f"/v23.0/{PNID}", params={"fields": "throughput"})).json()

    assert full["display_phone_number"] == "+15550783881"
    assert full["id"] == PNID
    assert throughput == {"throughput": {"level": "STANDARD"}, "id": PNID}


async def test_waba_nodes(client: httpx.AsyncClient) -> None:
    waba = (await client.get(f"/v23.0/{WABA}")).json()
    numbers = (await client.get(f"/v23.0/{WABA}/phone_numbers")).json()
    subscribed = await client.post(f"/v23.0/{WABA}/subscribed_apps")
    register = await client.post(
        f"/v23.0/{PNID}/register", json={"messaging_product": "whatsapp", "pin": "123456"}
    )

    assert waba["id"] == WABA
    assert [n["id"] for n in numbers["data"]] == [PNID]
    assert subscribed.json() == {"success": True}
    assert register.json() == {"success": True}
