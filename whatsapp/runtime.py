"""What the core needs from the outside world, passed explicitly to every core function.

Built once per process by the composition root (`app.server`, `app.cli`, the worker).
"""

from __future__ import annotations

from dataclasses import dataclass

from whatsapp.cloud import CloudClient


@dataclass(slots=True)
class Runtime:
    cloud: CloudClient
    phone_number_id: str
    business_id: str | None = None

    def number(self, phone_number_id: str | None) -> str:
        """The business number to act for: the caller's choice or the configured default."""
        return phone_number_id or self.phone_number_id
