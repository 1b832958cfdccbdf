"""Key changes across processes through Redis pub/sub: a revoke or scope change made in one
process empties every process's cache entry for that key at once, instead of within the
cache's TTL — which stays the fallback when Redis is slow or away.

Only key ids travel (never a key, nor its digest). Publishing never fails the change: an id
that cannot be published is logged; the TTL still bounds how long it is honoured elsewhere.
"""

from __future__ import annotations

import logging
import uuid

from whatsapp.access import changes
from whatsapp.kit.pubsub import FLUSH_S, RedisChannel

log = logging.getLogger(__name__)

DEFAULT_CHANNEL = "wagraph:keys"
OUTBOX = 1_000


class KeyChangeFeed:
    """Publishes this process's key changes on `channel`; with `listen`, applies everyone's
    to this process's caches (a server listens; a CLI command only publishes)."""

    def __init__(self, url: str, *, channel: str = DEFAULT_CHANNEL, listen: bool = True) -> None:
        self.channel = channel
        self._redis = RedisChannel(
            url, channel, outbox=OUTBOX, what="key change", receive=_apply if listen else None
        )

    async def start(self) -> None:
        await self._redis.start(subscribed_within=FLUSH_S)
        changes.publish_to(self.publish)

    def publish(self, key_id: uuid.UUID) -> None:
        if not self._redis.publish(str(key_id)):
            log.warning("key %s relies on the cache TTL", key_id)

    async def aclose(self) -> None:
        await self._redis.aclose()


def _apply(data: bytes | str) -> None:
    try:
        key_id = uuid.UUID(data.decode() if isinstance(data, bytes) else str(data))
    except ValueError:
        log.warning("ignoring a malformed key change on Redis")
        return
    changes.key_changed_elsewhere(key_id)
