"""`/{PNID}/whatsapp_business_encryption`: the business public key of each number (§8.1).

`POST` with `business_public_key=<PEM>` (form-encoded as Meta's page shows, multipart or JSON)
sets it and answers `{"success": true}`; anything but an RSA public key of at least 2048 bits is
Meta's `(#100) Invalid parameter`. `GET` answers `{"data": [{"business_public_key",
"business_public_key_signature_status": "VALID"}]}` (`data: []` before any upload).

The sandbox keeps the keys a number had before (newest first): the simulated WhatsApp client may
still hold one of them, which is how a key rotation looks from the endpoint's side.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from sandbox.errors import bad_param
from sandbox.flows_crypto import fingerprint, load_public_key

if TYPE_CHECKING:
    from sandbox.graph import GraphCall

FIELD = "business_public_key"
HISTORY = 5  # keys kept per number, current first


@dataclass(frozen=True, slots=True)
class BusinessKey:
    pem: str
    key: rsa.RSAPublicKey
    fingerprint: str
    uploaded_at: float


class EncryptionKeys:
    """Every number's uploaded keys, the current one first."""

    def __init__(self) -> None:
        self._keys: dict[str, list[BusinessKey]] = {}

    def upload(self, pnid: str, pem: str, now: float) -> BusinessKey:
        """Make `pem` the number's key; ValueError when it is not an RSA key of 2048+ bits."""
        key = load_public_key(pem)
        entry = BusinessKey(pem.strip(), key, fingerprint(key), now)
        kept = [k for k in self._keys.get(pnid, []) if k.fingerprint != entry.fingerprint]
        self._keys[pnid] = [entry, *kept][:HISTORY]
        return entry

    def current(self, pnid: str) -> BusinessKey | None:
        keys = self._keys.get(pnid)
        return keys[0] if keys else None

    def previous(self, pnid: str) -> BusinessKey | None:
        keys = self._keys.get(pnid, [])
        return keys[1] if len(keys) > 1 else None

    def clear(self) -> None:
        self._keys.clear()


async def set_business_public_key(call: GraphCall) -> Any:
    pem = await _read_key(call)
    try:
        call.sandbox.encryption_keys.upload(call.node, pem, call.sandbox.now())
    except ValueError as exc:
        raise bad_param(
            f"Param {FIELD} must be a PEM-encoded RSA public key of at least 2048 bits: {exc}"
        ) from None
    return {"success": True}


async def get_business_public_key(call: GraphCall) -> Any:
    current = call.sandbox.encryption_keys.current(call.node)
    if current is None:
        return {"data": []}
    return {
        "data": [{FIELD: current.pem, "business_public_key_signature_status": "VALID"}],
    }


async def _read_key(call: GraphCall) -> str:
    """The PEM from a form (urlencoded or multipart), a JSON body, or the query string."""
    content_type = call.request.headers.get("content-type", "")
    value: Any = None
    if content_type.startswith("application/json"):
        body = await call.json_body()
        value = body.get(FIELD) if isinstance(body, dict) else None
    elif content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        try:
            async with call.request.form() as form:
                value = form.get(FIELD)
        except (HTTPException, MultiPartException) as exc:
            raise bad_param(f"Invalid form body: {getattr(exc, 'detail', exc)}") from exc
        call.form = {FIELD: value} if isinstance(value, str) else {}
    if value is None:
        value = call.query.get(FIELD)
    if value is None:
        raise bad_param(f"The parameter {FIELD} is required.")
    if not isinstance(value, str) or not value.strip():
        raise bad_param(f"Param {FIELD} must be a non-empty string (PEM)")
    return value
