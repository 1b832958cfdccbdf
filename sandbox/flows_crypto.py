"""What the WhatsApp client does to talk to a Flows endpoint (reference §8.1-8.4).

A request: a fresh AES-128 key and 16-byte IV; the JSON encrypted with AES-GCM (the 16-byte tag
appended), the AES key encrypted with the business public key (RSA-OAEP, SHA-256 and
MGF1-SHA-256, no label); the three base64 fields. The answer is base64 text, AES-GCM under the
same key and the IV with every bit inverted.

Data API 4.0 adds `flow_token_signature`, which Meta documents as "a JSON Web Token (JWT) created
by flows to securely sign the flow token using the Meta app secret as the secret key", with "a
header specifying the signing algorithm (HS256), a payload containing the flow token"
("Implementing Endpoint for Flows", section "Flow token signature"). `sign_flow_token` makes
exactly that and nothing more: Meta names no other claim.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MIN_KEY_BITS = 2048
AES_KEY_BYTES = 16
IV_BYTES = 16
_OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


@dataclass(frozen=True, slots=True)
class Sealed:
    """One encrypted request: the HTTP body, and what opens its answer."""

    body: dict[str, str]
    aes_key: bytes
    iv: bytes


def load_public_key(pem: str) -> rsa.RSAPublicKey:
    """An RSA public key of at least 2048 bits from PEM; ValueError saying what is wrong."""
    try:
        key = serialization.load_pem_public_key(pem.strip().encode())
    except (ValueError, TypeError) as exc:
        raise ValueError(f"not a PEM public key ({exc})") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("not an RSA key")
    if key.key_size < MIN_KEY_BITS:
        raise ValueError(f"the key has {key.key_size} bits; at least {MIN_KEY_BITS} are needed")
    return key


def fingerprint(key: rsa.RSAPublicKey) -> str:
    """A short SHA-256 of the key, so transcripts can say which key encrypted a request."""
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()[:16]


def seal_request(payload: dict[str, Any], key: rsa.RSAPublicKey) -> Sealed:
    aes_key, iv = os.urandom(AES_KEY_BYTES), os.urandom(IV_BYTES)
    sealed = AESGCM(aes_key).encrypt(iv, json.dumps(payload).encode(), None)
    body = {
        "encrypted_flow_data": base64.b64encode(sealed).decode(),
        "encrypted_aes_key": base64.b64encode(key.encrypt(aes_key, _OAEP)).decode(),
        "initial_vector": base64.b64encode(iv).decode(),
    }
    return Sealed(body, aes_key, iv)


def open_response(text: str, aes_key: bytes, iv: bytes) -> Any:
    """The endpoint's answer decrypted and parsed; ValueError when it is not that."""
    try:
        sealed = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the answer is not base64 text") from None
    flipped = bytes(b ^ 0xFF for b in iv)
    try:
        plain = AESGCM(aes_key).decrypt(flipped, sealed, None)
    except (InvalidTag, ValueError):
        raise ValueError("the answer does not open with the request's key and flipped IV") from None
    try:
        return json.loads(plain)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError("the decrypted answer is not JSON") from None


def sign_flow_token(flow_token: str, app_secret: str) -> str:
    """Data API 4.0's `flow_token_signature`: an HS256 JWT over `{"flow_token": …}`."""
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    claims = _b64url(json.dumps({"flow_token": flow_token}, separators=(",", ":")).encode())
    signed = f"{header}.{claims}"
    mac = hmac.new(app_secret.encode(), signed.encode(), hashlib.sha256).digest()
    return f"{signed}.{_b64url(mac)}"


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
