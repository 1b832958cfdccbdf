"""Development's Flows key: made once in ./data, so `make run` answers Flows with no set-up.

Outside development a key must be configured (`wagraph flows keygen`, then
WAGRAPH_FLOWS_PRIVATE_KEY); this never runs there.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from app.settings import Settings
from whatsapp.flows import crypto

log = logging.getLogger("wagraph")


def flows_keys(settings: Settings) -> list[RSAPrivateKey]:
    """The configured keys; in development with none configured, the development key."""
    keys = settings.flows_keys()
    if keys or settings.environment != "development":
        return keys
    return [development_key(Path(settings.dev_flows_key_file))]


def development_key(path: Path) -> RSAPrivateKey:
    if path.is_file():
        return crypto.load_private_key(path.read_text())
    key = crypto.generate_private_key()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(crypto.private_pem(key))
    log.info("development Flows key written to %s", path)
    return key
