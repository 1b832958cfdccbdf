"""Identifier factories: wamids, numeric Graph ids, trace ids.

All randomness comes from a `random.Random` so a seeded sandbox hands out the same ids for the
same sequence of requests (tests assert on them).
"""

from __future__ import annotations

import base64
import random
import string

_TRACE_ALPHABET = string.ascii_letters + string.digits + "_-"
# Byte after `\x15\x02\x00` in real wamids: seen to differ between outbound and inbound ids.
_OUTBOUND_MARK = 0x11
_INBOUND_MARK = 0x12


class IdFactory:
    """Hands out unique ids of Meta's shapes from seeded random streams."""

    def __init__(self, seed: int | None) -> None:
        self._issued: set[str] = set()
        self.reseed(seed)

    def reseed(self, seed: int | None) -> None:
        """Restart the streams (on reset) so a seeded sandbox repeats its ids."""
        self._ids = random.Random(seed)
        self._traces = random.Random(None if seed is None else seed + 7919)
        self._issued.clear()

    def reserve(self, value: str) -> None:
        """Mark a fixed id (seeded media, templates) as taken so random ids never collide."""
        self._issued.add(value)

    def wamid(self, wa_id: str, *, inbound: bool = False) -> str:
        """`wamid.` + base64 of the small binary record real ids decode to (§9)."""
        digits = wa_id.encode()[:255]
        while True:
            key = f"{self._ids.getrandbits(72):018X}".encode()
            record = (
                b"\x1c\x18"
                + bytes([len(digits)])
                + digits
                + b"\x15\x02\x00"
                + bytes([_INBOUND_MARK if inbound else _OUTBOUND_MARK])
                + b"\x18"
                + bytes([len(key)])
                + key
                + b"\x00"
            )
            wamid = "wamid." + base64.b64encode(record).decode()
            if wamid not in self._issued:
                self._issued.add(wamid)
                return wamid

    def call_id(self, user_key: str, business_number: str) -> str:
        """`wacid.` + base64 of the record real call ids decode to: user, key, business number."""
        user = user_key.encode()[:255]
        business = business_number.encode()[:255]
        while True:
            key = f"{self._ids.getrandbits(128):032X}".encode()
            record = (
                b"\x1c\x18"
                + bytes([len(user)])
                + user
                + b"\x15\x02\x00\x12\x18"
                + bytes([len(key)])
                + key
                + b"\x1c\x18"
                + bytes([len(business)])
                + business
                + b"\x15\x02\x00\x00"
            )
            call_id = "wacid." + base64.b64encode(record).decode()
            if call_id not in self._issued:
                self._issued.add(call_id)
                return call_id

    def group_id(self, phone_number_id: str) -> str:
        """A Groups API id: long and opaque (base64 of `capi_group:<PNID>:<120363…>` + `ZD`).

        Meta's ids are 50-60+ characters; with a 15-digit PNID these are 62, which is what a
        server storing them must make room for.
        """
        while True:
            jid = "120363" + f"{self._ids.randrange(10**12):012d}"
            raw = f"capi_group:{phone_number_id}:{jid}".encode()
            group_id = base64.urlsafe_b64encode(raw).decode().rstrip("=") + "ZD"
            if group_id not in self._issued:
                self._issued.add(group_id)
                return group_id

    def numeric(self, digits: int = 16) -> str:
        """A numeric-string Graph id (media, templates, conversations' hsm ids)."""
        while True:
            value = str(self._ids.randrange(10 ** (digits - 1), 10**digits))
            if value not in self._issued:
                self._issued.add(value)
                return value

    def hex(self, length: int) -> str:
        return f"{self._ids.getrandbits(length * 4):0{length}x}"

    def fbtrace(self) -> str:
        """A Graph `fbtrace_id`-like token (separate stream: errors must not shift other ids)."""
        return "A" + "".join(self._traces.choices(_TRACE_ALPHABET, k=22))


def wa_id_of(wamid: str) -> str | None:
    """The wa_id embedded in a sandbox wamid, or None when it is not one of ours."""
    if not wamid.startswith("wamid."):
        return None
    try:
        record = base64.b64decode(wamid[6:], validate=True)
    except ValueError:
        return None
    if len(record) < 4 or record[:2] != b"\x1c\x18":
        return None
    length = record[2]
    digits = record[3 : 3 + length]
    return digits.decode() if digits.isdigit() else None
