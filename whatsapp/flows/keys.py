"""The Flows private keys this process holds: the current one first, then those still
accepted (the previous key during a rotation, other numbers' keys).

A key is given as PEM text or as the path of a PEM file; a key that cannot be read stops the
process at start with the setting named, rather than failing every Flows request later.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa

from whatsapp.flows.crypto import load_private_key

PEM_START = "-----BEGIN"


def read_pem(value: str) -> str:
    """PEM text as given, or the content of the file it names."""
    text = value.strip()
    if text.startswith(PEM_START):
        return text
    path = Path(text).expanduser()
    if not path.is_file():
        raise ValueError(f"{text!r} is neither PEM text nor a readable file")
    return path.read_text()


def load_keys(
    current: str | None, previous: Sequence[str], passphrase: str | None
) -> list[rsa.RSAPrivateKey]:
    """Every configured key, current first; ValueError saying which one is at fault."""
    keys: list[rsa.RSAPrivateKey] = []
    for position, value in enumerate([v for v in [current, *previous] if v and v.strip()]):
        try:
            keys.append(load_private_key(read_pem(value), passphrase))
        except ValueError as exc:
            which = "the current key" if position == 0 and current else f"key #{position}"
            raise ValueError(f"Flows {which}: {exc}") from None
    return keys
