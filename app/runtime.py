"""Composing the core: the `Runtime` every process builds, and what subscribes to what.

The server, the arq worker and the CLI all build their runtime here, so a process cannot get
a core without its subscriptions: `build_runtime` (and `app.db.init_db`, for the processes
that record events without a runtime) call `subscribe_core`, which is idempotent. Neither this
module nor anything it imports knows the web server or the GraphQL schema, so the worker can
use it.
"""

from __future__ import annotations

from datetime import timedelta

import httpx

from app.settings import Settings
from whatsapp.analytics import flows_stats, messages_stats, statements
from whatsapp.automations import channels as notify_channels
from whatsapp.automations import egress
from whatsapp.automations import enabled as enabled_automations
from whatsapp.automations import matching as automation_matching
from whatsapp.cloud.client import CloudClient, CloudConfig
from whatsapp.cloud.ratelimit import build_limiter
from whatsapp.events import log as event_log
from whatsapp.flows import booking
from whatsapp.flows import handlers as flow_handlers
from whatsapp.inbound import keywords as consent_keywords
from whatsapp.kit import secrets as stored_secrets
from whatsapp.live import publisher as live_publisher
from whatsapp.live.brokers import Broker, InProcessBroker, RedisBroker
from whatsapp.live.hub import Hub
from whatsapp.runtime import Runtime, ScheduleHook


def subscribe_core() -> None:
    """Wire the core's reactions to recorded events: automations queue runs for them; and the
    Flows shipped with wagraph to their names (`/flows/booking`).

    Idempotent, so every entry point may call it; `whatsapp.events` imports none of this.
    """
    event_log.on_recorded(automation_matching.on_events_recorded)
    event_log.on_recorded(live_publisher.on_events_recorded)
    flow_handlers.register("booking", booking.handle)


def cloud_config(settings: Settings) -> CloudConfig:
    return CloudConfig(
        base_url=settings.graph_base_url,
        version=settings.graph_api_version,
        access_token=settings.meta_access_token.get_secret_value(),
        timeout_s=settings.http_timeout_s,
        max_connections=settings.http_max_connections,
        max_attempts=settings.cloud_max_attempts,
        backoff_base_s=settings.cloud_backoff_base_s,
        backoff_max_s=settings.cloud_backoff_max_s,
    )


def build_runtime(settings: Settings, *, on_scheduled: ScheduleHook | None = None) -> Runtime:
    """The core's dependencies for this process; the caller closes it (`Runtime.aclose`)."""
    subscribe_core()
    consent_keywords.use_keywords(
        consent_keywords.ConsentKeywords.of(
            settings.consent_stop_keywords.split(","), settings.consent_start_keywords.split(",")
        )
    )
    notify_channels.use_channels(settings.notify_channels())
    egress.use_policy(settings.outbound_policy())
    stored_secrets.use_box(settings.secret_box())
    messages_stats.use_rates(settings.pricing_rate_table())
    statements.use_timeout(settings.analytics_timeout_s)
    enabled_automations.ENABLED.ttl_s = settings.automation_cache_ttl_s
    flows_stats.use_token_ttl(timedelta(days=settings.flow_token_ttl_days))
    return Runtime(
        cloud=CloudClient(cloud_config(settings)),
        phone_number_id=settings.meta_phone_number_id,
        business_id=settings.meta_business_id,
        enforce_service_window=settings.enforce_service_window,
        http=httpx.AsyncClient(timeout=settings.automation_webhook_timeout_s),
        webhook_signing_secret=settings.automation_webhook_secret.get_secret_value(),
        limiter=build_limiter(settings.rate_limit_mps, settings.redis_url),
        on_scheduled=on_scheduled,
        max_attempts=settings.scheduled_max_attempts,
        lease_recovery=settings.lease_recovery,
        marketing_messages_api=settings.marketing_messages_enabled,
    )


def live_broker(settings: Settings, hub: Hub | None = None) -> Broker:
    """Live updates for this process: through Redis when `REDIS_URL` is set (every process
    publishes there; a server's hub also listens), else within the process. Without a hub
    (a worker, a CLI command) it only publishes; the caller starts and closes it."""
    if settings.redis_url:
        return RedisBroker(settings.redis_url, hub=hub, channel=settings.live_channel)
    return InProcessBroker(hub if hub is not None else Hub(max_queue=settings.live_queue_size))
