"""The Flows endpoint's encryption, checked against a client written from Meta's description
(reference §8.3-8.4), not against our own code."""

from __future__ import annotations

import base64
import json
import os
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from whatsapp.flows import crypto

OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return crypto.generate_private_key()


@pytest.fixture(scope="module")
def other_key() -> rsa.RSAPrivateKey:
    return crypto.generate_private_key()


def whatsapp_encrypts(payload: Any, public: rsa.RSAPublicKey) -> tuple[bytes, bytes, bytes]:
    """What the WhatsApp client sends: (body, its AES key, its IV)."""
    aes_key, iv = os.urandom(16), os.urandom(16)
    body = {
        "encrypted_flow_data": base64.b64encode(
            AESGCM(aes_key).encrypt(iv, json.dumps(payload).encode(), None)
        ).decode(),
        "encrypted_aes_key": base64.b64encode(public.encrypt(aes_key, OAEP)).decode(),
        "initial_vector": base64.b64encode(iv).decode(),
    }
    return json.dumps(body).encode(), aes_key, iv


def whatsapp_decrypts(answer: str, aes_key: bytes, iv: bytes) -> Any:
    flipped = bytes(b ^ 0xFF for b in iv)
    return json.loads(AESGCM(aes_key).decrypt(flipped, base64.b64decode(answer), None))


def test_a_request_opens_and_its_answer_reads_on_the_client(key: rsa.RSAPrivateKey) -> None:
    body, aes_key, iv = whatsapp_encrypts({"action": "ping", "version": "3.0"}, key.public_key())

    opened = crypto.decrypt_request(crypto.read_request(body), [key])
    answer = crypto.encrypt_response({"data": {"status": "active"}}, opened.aes_key, opened.iv)

    assert opened.payload == {"action": "ping", "version": "3.0"}
    assert opened.key_index == 0
    assert whatsapp_decrypts(answer, aes_key, iv) == {"data": {"status": "active"}}


def test_the_previous_key_still_opens_requests_during_a_rotation(
    key: rsa.RSAPrivateKey, other_key: rsa.RSAPrivateKey
) -> None:
    body, _, _ = whatsapp_encrypts({"action": "ping"}, key.public_key())

    opened = crypto.decrypt_request(crypto.read_request(body), [other_key, key])

    assert opened.key_index == 1


def test_a_request_for_a_key_we_do_not_hold_fails_to_decrypt(
    key: rsa.RSAPrivateKey, other_key: rsa.RSAPrivateKey
) -> None:
    body, _, _ = whatsapp_encrypts({"action": "ping"}, other_key.public_key())

    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt_request(crypto.read_request(body), [key])


def test_a_tampered_body_fails_to_decrypt(key: rsa.RSAPrivateKey) -> None:
    body, _, _ = whatsapp_encrypts({"action": "ping"}, key.public_key())
    fields = crypto.read_request(body)
    fields["encrypted_flow_data"] = (
        bytes([fields["encrypted_flow_data"][0] ^ 1]) + fields["encrypted_flow_data"][1:]
    )

    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt_request(fields, [key])


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"", "not JSON"),
        (b"[1]", "not a JSON object"),
        (b'{"encrypted_flow_data": "AA=="}', "encrypted_aes_key is missing"),
        (
            b'{"encrypted_flow_data": "%%", "encrypted_aes_key": "AA==", "initial_vector": "AA=="}',
            "not base64",
        ),
    ],
)
def test_bodies_that_are_not_encrypted_requests_say_why(body: bytes, problem: str) -> None:
    with pytest.raises(crypto.NotEncryptedRequest, match=problem):
        crypto.read_request(body)


def test_a_key_round_trips_through_pem_with_a_passphrase(key: rsa.RSAPrivateKey) -> None:
    pem = crypto.private_pem(key, passphrase="s3cret")

    loaded = crypto.load_private_key(pem, "s3cret")

    assert crypto.public_pem(loaded) == crypto.public_pem(key)
    with pytest.raises(ValueError, match="passphrase"):
        crypto.load_private_key(pem, None)
