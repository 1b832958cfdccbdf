"""A local stand-in for Meta's WhatsApp Cloud API (Graph API), for tests, demos and benchmarks.

It imports nothing from the rest of wagraph: Meta knows nothing of us. Point a Cloud API client
at it by changing only the base URL. Deterministic behaviours are listed in `sandbox/README.md`.
"""

from sandbox.app import SandboxServer, create_app, make_server, serve
from sandbox.config import SandboxConfig
from sandbox.recording import RecordedRequest
from sandbox.state import Sandbox
from sandbox.webhooks import SIGNATURE_HEADER, sign

__all__ = [
    "SIGNATURE_HEADER",
    "RecordedRequest",
    "Sandbox",
    "SandboxConfig",
    "SandboxServer",
    "create_app",
    "make_server",
    "serve",
    "sign",
]
