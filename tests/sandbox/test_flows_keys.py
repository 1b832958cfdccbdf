"""`/{PNID}/whatsapp_business_encryption` (reference §8.1): the business public key a number's
Flows are encrypted with — set as Meta's page shows (form field `business_public_key`), read
back with its signature status, refused unless it is an RSA public key of 2048 bits or more."""

from __future__ import annotations

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from sandbox import Sandbox
from tests.sandbox.conftest import PNID, VERSION, error_of

EDGE = f"/{VERSION}/{PNID}/whatsapp_business_encryption"


def public_pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@pytest.fixture(scope="module")
def rsa_pem() -> str:
    return public_pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))


@pytest.fixture(scope="module")
def second_pem() -> str:
    return public_pem(rsa.generate_private_key(public_exponent=65537, key_size=3072))


async def test_a_key_posted_as_a_form_is_read_back_as_valid(
    client: httpx.AsyncClient, rsa_pem: str
) -> None:
    # when
    posted = await client.post(EDGE, data={"business_public_key": rsa_pem})
    read = await client.get(EDGE)

    # then
    assert posted.status_code == 200, posted.text
    assert posted.json() == {"success": True}
    assert read.json() == {
        "data": [
            {
                "business_public_key": rsa_pem.strip(),
                "business_public_key_signature_status": "VALID",
            }
        ]
    }


async def test_multipart_and_json_bodies_are_accepted_too(
    client: httpx.AsyncClient, sandbox: Sandbox, rsa_pem: str, second_pem: str
) -> None:
    multipart = await client.post(EDGE, files={"business_public_key": (None, rsa_pem)})
    as_json = await client.post(EDGE, json={"business_public_key": second_pem})

    assert multipart.json() == {"success": True}
    assert as_json.json() == {"success": True}
    current = sandbox.encryption_keys.current(PNID)
    assert current is not None
    assert current.pem == second_pem.strip()


async def test_a_new_key_keeps_the_one_before_it(
    client: httpx.AsyncClient, sandbox: Sandbox, rsa_pem: str, second_pem: str
) -> None:
    # given
    await client.post(EDGE, data={"business_public_key": rsa_pem})

    # when: the business rotates its key
    await client.post(EDGE, data={"business_public_key": second_pem})

    # then: Graph shows the new one; the sandbox remembers the old one for clients that hold it
    shown = (await client.get(EDGE)).json()["data"][0]["business_public_key"]
    previous = sandbox.encryption_keys.previous(PNID)
    assert shown == second_pem.strip()
    assert previous is not None
    assert previous.pem == rsa_pem.strip()


async def test_before_any_upload_the_edge_lists_nothing(client: httpx.AsyncClient) -> None:
    read = await client.get(EDGE)

    assert read.status_code == 200
    assert read.json() == {"data": []}


async def test_an_elliptic_curve_key_is_refused(client: httpx.AsyncClient) -> None:
    pem = public_pem(ec.generate_private_key(ec.SECP256R1()))

    response = await client.post(EDGE, data={"business_public_key": pem})

    error = error_of(response, 400, 100)
    assert "not an RSA key" in error["error_data"]["details"]
    assert (await client.get(EDGE)).json() == {"data": []}


async def test_a_1024_bit_key_is_refused(client: httpx.AsyncClient) -> None:
    pem = public_pem(rsa.generate_private_key(public_exponent=65537, key_size=1024))

    response = await client.post(EDGE, data={"business_public_key": pem})

    error = error_of(response, 400, 100)
    assert "1024 bits" in error["error_data"]["details"]


@pytest.mark.parametrize(
    "body",
    [
        {"business_public_key": "not a key"},
        {"business_public_key": ""},
        {"something_else": "x"},
    ],
)
async def test_garbage_or_a_missing_key_is_a_meta_error(
    client: httpx.AsyncClient, body: dict[str, str]
) -> None:
    response = await client.post(EDGE, data=body)

    error = error_of(response, 400, 100)
    assert "business_public_key" in error["error_data"]["details"]


async def test_a_private_key_is_not_a_public_key(client: httpx.AsyncClient) -> None:
    private = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )

    response = await client.post(EDGE, data={"business_public_key": private})

    error_of(response, 400, 100)


async def test_the_edge_needs_the_token_and_a_known_number(
    client: httpx.AsyncClient, rsa_pem: str
) -> None:
    anonymous = await client.post(
        EDGE, data={"business_public_key": rsa_pem}, headers={"Authorization": ""}
    )
    unknown = await client.post(
        f"/{VERSION}/999999999999/whatsapp_business_encryption",
        data={"business_public_key": rsa_pem},
    )

    error_of(anonymous, 401, 190)
    error_of(unknown, 400, 100)


async def test_reset_forgets_the_keys(
    client: httpx.AsyncClient, sandbox: Sandbox, rsa_pem: str
) -> None:
    await client.post(EDGE, data={"business_public_key": rsa_pem})

    sandbox.reset()

    assert (await client.get(EDGE)).json() == {"data": []}
