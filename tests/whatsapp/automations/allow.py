"""The outbound allow-list for a block of a test, as `WAGRAPH_OUTBOUND_ALLOW` would set it.

Automation webhooks reach only public addresses by default, and test receivers listen on
127.0.0.1: tests that deliver to them name it, as an operator would for an internal receiver.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from whatsapp.automations import egress
from whatsapp.automations.egress import EgressPolicy


@contextmanager
def allowing(*entries: str) -> Iterator[EgressPolicy]:
    """This allow-list for the process while the block runs; the previous one after."""
    before = egress.policy()
    chosen = EgressPolicy.parse(entries)
    egress.use_policy(chosen)
    try:
        yield chosen
    finally:
        egress.use_policy(before)
