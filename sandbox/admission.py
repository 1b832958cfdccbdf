"""What every accepted send must pass: the limits now, the content checks later.

`admit` applies throughput (130429) then the pair rate (131056) and consumes both only when the
send is accepted; `content_failure` finds what makes an accepted message fail by webhook
(unreachable media, a media id of the wrong kind, a reaction to a message outside the chat).
Shared by sends to a customer (`messaging`) and to a group (`group_sends`).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from sandbox.errors import GraphError
from sandbox.media import ACCEPTS
from sandbox.state import Sandbox
from sandbox.statuses import LaterFailure
from sandbox.validation import Outgoing

UNREACHABLE_HOST_SUFFIX = ".invalid"  # RFC 2606: links to these hosts fail to download


def admit(sb: Sandbox, pnid: str, chat: str, now: float) -> None:
    """Throughput (130429) then pair rate (131056); only accepted sends consume either."""
    config = sb.config
    if not sb.throughput.admits(pnid, now, config.rate_limit_mps):
        sb.stats_counters.phone(pnid).rate_limited += 1
        raise GraphError(
            130429,
            "Message failed to send because there were too many messages sent from this phone "
            f"number in a short period of time (limit {config.rate_limit_mps} per second)",
        )
    pair = (pnid, chat)
    if not sb.pairs.admits(pair, now, config.pair_limit_burst, config.pair_limit_interval_s):
        sb.stats_counters.phone(pnid).pair_limited += 1
        raise GraphError(
            131056,
            "Message failed to send because there were too many messages sent from this phone "
            "number to the same phone number in a short period of time",
        )
    sb.pairs.take(pair, now, config.pair_limit_burst, config.pair_limit_interval_s)
    sb.throughput.record(pnid, now)


def content_failure(sb: Sandbox, pnid: str, request: Outgoing, chat: str) -> LaterFailure | None:
    """What cannot be delivered: unreachable media, wrong media kind, a foreign reaction target."""
    for link in request.refs.links:
        host = (urlsplit(link).hostname or "").lower()
        if host.endswith(UNREACHABLE_HOST_SUFFIX):
            return LaterFailure(
                131053, f"Downloading media from weblink {link} failed: host not found"
            )
    for wanted, media_id in request.refs.ids:
        actual = sb.media_kind(media_id)
        if actual is not None and actual not in ACCEPTS[wanted]:
            return LaterFailure(
                131053, f"Media {media_id} is of kind {actual} and cannot be sent as {wanted}"
            )
    if request.reaction_target is not None:
        known = sb.messages.get(request.reaction_target)
        if known is None or known.wa_id != chat or known.phone_number_id != pnid:
            return LaterFailure(
                131009,
                f"Reaction target {request.reaction_target} is not a message in this chat",
            )
    return None
