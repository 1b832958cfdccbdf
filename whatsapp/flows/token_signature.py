"""Data API 4.0's `flow_token_signature`: Meta's JWT over the flow token, checked.

Meta documents the scheme in "Implementing Endpoint for Flows", section "Flow token signature"
(https://developers.facebook.com/documentation/business-messaging/whatsapp/flows/guides/
implementingyourflowendpoint#enhanced-endpoint-security):

    "The flow_token_signature is a JSON Web Token (JWT) created by flows to securely sign the
    flow token using the Meta app secret as the secret key. This JWT includes a header
    specifying the signing algorithm (HS256), a payload containing the flow token."

    "businesses need to decode and verify the JWT using the Meta app secret, which is known to
    them. Once decoded, businesses can confirm that the flow_token value inside the token
    matches the expected value"

and the request table says it "will only be sent with flows version >= 7.3 and
data_api_version >=4.0". So a valid signature is a compact JWS (RFC 7515) whose header names
HS256, whose HMAC-SHA256 over `header.payload` is keyed with the app secret, and whose payload's
`flow_token` equals the request's. Meta names no other claim, so none is required; the
registered time claims (`exp`, `nbf`), should a token carry them, are honoured as RFC 7519 says.

PyJWT checks the JWS (only HS256 is allowed, so `none` and algorithm confusion are refused)
and the time claims. Every failure is just `False`: the endpoint decides what a bad signature
costs (a request never gets a 500).
"""

from __future__ import annotations

import hmac
import warnings
from collections.abc import Iterable

import jwt
from jwt.warnings import InsecureKeyLengthWarning

ALGORITHM = "HS256"
# Seconds of clock skew tolerated on `exp`/`nbf` (only when a token carries them).
LEEWAY_S = 60.0
# A signature over a 200-character flow token is a few hundred bytes; refuse to parse novels.
MAX_LENGTH = 4096


def verify(signature: str, flow_token: str, app_secret: str, *, now: float | None = None) -> bool:
    """True when `signature` is Meta's HS256 JWT over `flow_token`, made with `app_secret`."""
    return verify_any(signature, flow_token, (app_secret,), now=now)


def verify_any(
    signature: str, flow_token: str, app_secrets: Iterable[str], *, now: float | None = None
) -> bool:
    """`verify` against each secret in turn: while an app secret is being reset, Meta's page
    ("Resetting the App Secret") has endpoints accept the old and the new one for a while."""
    if not isinstance(signature, str) or not signature or len(signature) > MAX_LENGTH:
        return False
    return any(secret and _verified(signature, flow_token, secret, now) for secret in app_secrets)


def _verified(signature: str, flow_token: str, secret: str, now: float | None) -> bool:
    try:
        header = jwt.get_unverified_header(signature)
        if header.get("crit") is not None:  # extensions we do not understand (RFC 7515 4.1.11)
            return False
        with warnings.catch_warnings():
            # The key is Meta's app secret: its length is Meta's choice, not ours to refuse.
            warnings.simplefilter("ignore", InsecureKeyLengthWarning)
            claims = jwt.decode(
                signature,
                secret,
                algorithms=[ALGORITHM],
                leeway=LEEWAY_S,
                options={
                    "verify_aud": False,
                    "verify_iat": False,
                    "verify_exp": now is None,
                    "verify_nbf": now is None,
                },
            )
    except (jwt.PyJWTError, ValueError, TypeError):
        return False
    if now is not None and not _in_time(claims, now):
        return False
    token = claims.get("flow_token")
    return isinstance(token, str) and hmac.compare_digest(token.encode(), flow_token.encode())


def _in_time(claims: dict[str, object], now: float) -> bool:
    """`exp` and `nbf` at a given time (PyJWT checks them against the clock otherwise)."""
    exp, nbf = claims.get("exp"), claims.get("nbf")
    if isinstance(exp, int | float) and now > exp + LEEWAY_S:
        return False
    return not (isinstance(nbf, int | float) and now < nbf - LEEWAY_S)
