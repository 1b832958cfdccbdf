"""The WhatsApp Flows endpoint's encryption (reference §8.3-8.4), on `cryptography`.

WhatsApp encrypts each request with a fresh AES-128 key, itself encrypted with the business's
RSA public key (OAEP, SHA-256, MGF1-SHA-256, no label); the body is AES-GCM with the 16-byte
tag appended. The answer is encrypted with the same AES key and the bitwise-inverted IV and
sent as base64 text.

Several private keys may be configured (numbers with their own keys, or a key being rotated):
a request is tried against each in order, so the endpoint never needs to know which number it
serves, and requests still encrypted with the previous key keep working during a switch.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BITS = 2048
AES_KEY_BYTES = 16
TAG_BYTES = 16
_OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
REQUEST_FIELDS = ("encrypted_flow_data", "encrypted_aes_key", "initial_vector")


class NotEncryptedRequest(ValueError):
    """The body is not the `{encrypted_flow_data, encrypted_aes_key, initial_vector}` object."""


class DecryptionFailed(ValueError):
    """No configured key opens the request (421: WhatsApp re-fetches the public key)."""


@dataclass(frozen=True, slots=True)
class Decrypted:
    """A request opened: what it says, and what its answer must be encrypted with."""

    payload: dict[str, Any]
    aes_key: bytes
    iv: bytes
    key_index: int  # which configured key opened it (0: the current one)


def generate_private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)


def private_pem(key: rsa.RSAPrivateKey, passphrase: str | None = None) -> str:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase.encode())
        if passphrase
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    ).decode()


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def load_private_key(pem: str | bytes, passphrase: str | None = None) -> rsa.RSAPrivateKey:
    """A PEM private key (PKCS#1 or PKCS#8, optionally encrypted); ValueError when it is not an
    RSA key or the passphrase is wrong, with a message that says which."""
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_private_key(
            data, password=passphrase.encode() if passphrase else None
        )
    except TypeError as exc:  # a passphrase given for a plain key, or missing for an encrypted one
        raise ValueError(f"the Flows private key and its passphrase do not match: {exc}") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("the Flows private key must be an RSA key")
    return key


def read_request(body: bytes) -> dict[str, bytes]:
    """The three base64 fields of a request, decoded; NotEncryptedRequest otherwise."""
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise NotEncryptedRequest("the body is not JSON") from None
    if not isinstance(parsed, Mapping):
        raise NotEncryptedRequest("the body is not a JSON object")
    fields: dict[str, bytes] = {}
    for name in REQUEST_FIELDS:
        value = parsed.get(name)
        if not isinstance(value, str) or not value:
            raise NotEncryptedRequest(f"{name} is missing")
        try:
            fields[name] = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise NotEncryptedRequest(f"{name} is not base64") from None
    return fields


def decrypt_request(fields: Mapping[str, bytes], keys: Sequence[rsa.RSAPrivateKey]) -> Decrypted:
    """Open a request with the first key that can; DecryptionFailed when none can."""
    iv = fields["initial_vector"]
    data = fields["encrypted_flow_data"]
    if not iv or len(data) <= TAG_BYTES:
        raise DecryptionFailed("the request is too short to hold a GCM tag")
    for index, key in enumerate(keys):
        try:
            aes_key = key.decrypt(fields["encrypted_aes_key"], _OAEP)
        except ValueError:
            continue  # encrypted for another key
        if len(aes_key) != AES_KEY_BYTES:
            continue
        try:
            plain = AESGCM(aes_key).decrypt(iv, data, None)
        except InvalidTag:
            continue
        try:
            payload = orjson.loads(plain)
        except orjson.JSONDecodeError:
            raise DecryptionFailed("the decrypted request is not JSON") from None
        if not isinstance(payload, dict):
            raise DecryptionFailed("the decrypted request is not a JSON object")
        return Decrypted(payload=payload, aes_key=aes_key, iv=iv, key_index=index)
    raise DecryptionFailed("no configured key decrypts the request")


def encrypt_response(payload: Mapping[str, Any], aes_key: bytes, iv: bytes) -> str:
    """The answer as WhatsApp expects it: AES-GCM under the flipped IV, base64 text."""
    flipped = bytes(b ^ 0xFF for b in iv)
    sealed = AESGCM(aes_key).encrypt(flipped, orjson.dumps(payload), None)
    return base64.b64encode(sealed).decode()
