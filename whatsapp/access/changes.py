"""Key changes (revoked, scope changed) announced to this process's key caches at once.

Caches subscribe weakly, so an app that is gone (tests build many) unsubscribes itself. Other
processes learn of a change when their cache entry ages out (`KeyCache`'s TTL), or at once
when `whatsapp.access.feed` carries the announcements through Redis: it publishes the changes
made here (`publish_to`) and replays other processes' with `key_changed_elsewhere`, which is
never published again.
"""

from __future__ import annotations

import uuid
import weakref
from collections.abc import Callable

Listener = Callable[[uuid.UUID], None]

_caches: list[weakref.WeakMethod[Listener]] = []
_publishers: list[weakref.WeakMethod[Listener]] = []


def subscribe(listener: Listener) -> None:
    """`listener` (a bound method) hears every key id changed, here or elsewhere."""
    _caches.append(weakref.WeakMethod(listener))


def publish_to(listener: Listener) -> None:
    """`listener` (a bound method) hears the key ids changed by this process only."""
    _publishers.append(weakref.WeakMethod(listener))


def key_changed(key_id: uuid.UUID) -> None:
    """This process changed the key: caches forget it, publishers tell the others."""
    _tell(_caches, key_id)
    _tell(_publishers, key_id)


def key_changed_elsewhere(key_id: uuid.UUID) -> None:
    """Another process changed the key: caches forget it."""
    _tell(_caches, key_id)


def _tell(listeners: list[weakref.WeakMethod[Listener]], key_id: uuid.UUID) -> None:
    alive: list[weakref.WeakMethod[Listener]] = []
    for ref in listeners:
        listener = ref()
        if listener is not None:
            listener(key_id)
            alive.append(ref)
    listeners[:] = alive
