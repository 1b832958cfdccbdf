"""`flow_token_signature` (Data API 4.0), checked against tokens made from Meta's description
("a JSON Web Token ... to securely sign the flow token using the Meta app secret as the secret
key ... a header specifying the signing algorithm (HS256), a payload containing the flow
token"): by PyJWT, an independent implementation, and by hand from RFC 7515, never by our code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import pytest

from sandbox.flows_crypto import sign_flow_token
from whatsapp.flows.token_signature import verify, verify_any

SECRET = "a-meta-app-secret-of-32-characters!!"  # PyJWT warns on HMAC keys under 32 bytes
TOKEN = "sess-9f2c1b7e"


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def jws(
    claims: Any, secret: str = SECRET, header: dict[str, Any] | None = None, digest: Any = None
) -> str:
    """A compact JWS made by hand: base64url(header).base64url(payload).base64url(HMAC)."""
    head = b64url(json.dumps(header or {"alg": "HS256", "typ": "JWT"}).encode())
    body = b64url(json.dumps(claims).encode())
    mac = hmac.new(secret.encode(), f"{head}.{body}".encode(), digest or hashlib.sha256)
    return f"{head}.{body}.{b64url(mac.digest())}"


def test_a_token_signed_by_pyjwt_as_meta_describes_verifies() -> None:
    jwt = pytest.importorskip("jwt")
    # given
    signature = jwt.encode({"flow_token": TOKEN}, SECRET, algorithm="HS256")

    # then
    assert verify(signature, TOKEN, SECRET)


def test_a_hand_made_token_verifies_whatever_else_its_header_and_payload_carry() -> None:
    signature = jws({"flow_token": TOKEN, "iat": 1_700_000_000}, header={"alg": "HS256"})

    assert verify(signature, TOKEN, SECRET)


def test_the_sandbox_signs_tokens_the_endpoint_accepts() -> None:
    """The sandbox plays WhatsApp: what it sends must pass the check wagraph makes."""
    assert verify(sign_flow_token(TOKEN, SECRET), TOKEN, SECRET)


@pytest.mark.parametrize(
    ("signature", "why"),
    [
        (jws({"flow_token": TOKEN}, secret="another-app-secret"), "another app's secret"),
        (jws({"flow_token": "sess-other"}), "signs another flow token"),
        (jws({"token": TOKEN}), "no flow_token claim"),
        (jws({"flow_token": 42}), "flow_token not a string"),
        (jws([TOKEN]), "payload not an object"),
        (jws({"flow_token": TOKEN}, header={"alg": "HS512"}, digest=hashlib.sha512), "HS512"),
        (jws({"flow_token": TOKEN}, header={"alg": "none"}), "alg none"),
        (jws({"flow_token": TOKEN}, header={"alg": "HS256", "crit": ["b64"]}), "crit"),
        (jws({"flow_token": TOKEN, "exp": time.time() - 3600}), "expired"),
        (jws({"flow_token": TOKEN, "exp": "tomorrow"}), "exp not a NumericDate"),
        (jws({"flow_token": TOKEN, "nbf": time.time() + 3600}), "not valid yet"),
    ],
)
def test_a_signature_that_is_not_metas_over_this_token_is_refused(signature: str, why: str) -> None:
    assert not verify(signature, TOKEN, SECRET), why


def test_a_token_whose_payload_was_swapped_is_refused() -> None:
    # given: the MAC of one token, the payload of another
    genuine = jws({"flow_token": TOKEN})
    forged_payload = b64url(json.dumps({"flow_token": "sess-attacker"}).encode())
    head, _, mac = genuine.split(".")

    # then
    assert not verify(f"{head}.{forged_payload}.{mac}", "sess-attacker", SECRET)


@pytest.mark.parametrize(
    "garbage",
    ["", "abc", "a.b", "a.b.c", "a.b.c.d", "é.é.é", "...", "====.====.====", "x" * 5000],
)
def test_garbage_is_refused_without_raising(garbage: str) -> None:
    assert not verify(garbage, TOKEN, SECRET)


def test_expiry_is_honoured_only_when_the_token_carries_one() -> None:
    signature = jws({"flow_token": TOKEN, "exp": 1_000})

    assert verify(signature, TOKEN, SECRET, now=900)
    assert verify(signature, TOKEN, SECRET, now=1_030)  # within the minute of leeway
    assert not verify(signature, TOKEN, SECRET, now=1_100)


def test_during_an_app_secret_reset_the_old_and_the_new_secret_both_verify() -> None:
    old, new = "the-old-app-secret", "the-new-app-secret"

    assert verify_any(jws({"flow_token": TOKEN}, secret=old), TOKEN, [new, old])
    assert verify_any(jws({"flow_token": TOKEN}, secret=new), TOKEN, [new, old])
    assert not verify_any(jws({"flow_token": TOKEN}, secret="third"), TOKEN, [new, old])
    assert not verify_any(jws({"flow_token": TOKEN}, secret=""), TOKEN, [""])
