"""Secrets at rest: values sealed with Fernet under the operator's key, readable across a rotation.

A sealed value is `wgsec:v1:` + a Fernet token (AES-128-CBC + HMAC-SHA256, from the
`cryptography` package). The box seals with its current key and opens with the current key or
any previous one, so a rotation is: make a key (`wagraph secrets keygen`), set it as
`WAGRAPH_SECRETS_KEY` with the old one in `WAGRAPH_SECRETS_PREVIOUS_KEYS`, restart, re-seal
what is stored (`wagraph secrets rotate`), then drop the old key.

A value without the prefix is plaintext stored before secrets were sealed: `open` returns it as
it is, so old rows keep working until the next save or `wagraph secrets rotate` seals them.

The box in use is installed when a process is composed (`app.runtime`), from settings. Until
then it is the development box, whose key is derived from a published constant: it keeps
secrets out of casual reads in development and tests, never from anyone who has this code —
production refuses to start without `WAGRAPH_SECRETS_KEY`.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

PREFIX = "wgsec:v1:"
DEVELOPMENT_KEY = base64.urlsafe_b64encode(
    hashlib.sha256(b"wagraph development secrets key (not secret)").digest()
).decode()


class UnreadableSecret(Exception):
    """A sealed value that no configured key opens (the key that sealed it is gone)."""

    def __init__(self) -> None:
        super().__init__(
            "A stored secret cannot be decrypted with WAGRAPH_SECRETS_KEY or "
            "WAGRAPH_SECRETS_PREVIOUS_KEYS"
        )


class SealState(StrEnum):
    """What a stored value is, for `wagraph secrets status`."""

    PLAINTEXT = "plaintext"
    CURRENT = "current"
    PREVIOUS = "previous"
    UNREADABLE = "unreadable"


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def generate_key() -> str:
    """A new random key, in the form `WAGRAPH_SECRETS_KEY` takes (url-safe base64, 32 bytes)."""
    return Fernet.generate_key().decode()


@dataclass(frozen=True, slots=True)
class SecretBox:
    """Seals with the current key; opens with the current key or a previous one."""

    current: Fernet
    previous: tuple[Fernet, ...] = ()

    @classmethod
    def from_keys(cls, current: str, previous: Sequence[str] = ()) -> SecretBox:
        """A ValueError says which key is malformed, never repeating it."""
        return cls(
            _fernet(current, "the current key"),
            tuple(_fernet(key, f"previous key {n}") for n, key in enumerate(previous, 1)),
        )

    @property
    def _all(self) -> MultiFernet:
        return MultiFernet([self.current, *self.previous])

    def seal(self, plaintext: str) -> str:
        return PREFIX + self.current.encrypt(plaintext.encode()).decode()

    def open(self, value: str) -> str:
        """The plaintext of a sealed value; an unsealed (legacy) value as it is."""
        if not is_sealed(value):
            return value
        try:
            return self._all.decrypt(value[len(PREFIX) :].encode()).decode()
        except InvalidToken:
            raise UnreadableSecret() from None

    def reseal(self, value: str) -> str:
        """The value sealed with the current key (plaintext is sealed; sealed is re-keyed)."""
        if not is_sealed(value):
            return self.seal(value)
        try:
            return PREFIX + self._all.rotate(value[len(PREFIX) :].encode()).decode()
        except InvalidToken:
            raise UnreadableSecret() from None

    def state(self, value: str) -> SealState:
        if not is_sealed(value):
            return SealState.PLAINTEXT
        token = value[len(PREFIX) :].encode()
        if _opens(self.current, token):
            return SealState.CURRENT
        if any(_opens(fernet, token) for fernet in self.previous):
            return SealState.PREVIOUS
        return SealState.UNREADABLE


def _opens(fernet: Fernet, token: bytes) -> bool:
    try:
        fernet.decrypt(token)
    except InvalidToken:
        return False
    return True


def _fernet(key: str, label: str) -> Fernet:
    try:
        return Fernet(key.strip().encode())
    except ValueError:
        raise ValueError(
            f"{label} is not a Fernet key (32 url-safe base64-encoded bytes; "
            "`wagraph secrets keygen` makes one)"
        ) from None


_box = SecretBox.from_keys(DEVELOPMENT_KEY)


def use_box(box: SecretBox) -> None:
    """The box this process seals and opens secrets with (set once, when it is composed)."""
    global _box
    _box = box


def box() -> SecretBox:
    return _box
