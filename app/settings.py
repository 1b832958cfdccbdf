"""Typed settings, read once from the environment (and an optional `.env`)."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from whatsapp.analytics.messages_stats import PricingRates
from whatsapp.automations.channels import (
    NotifyChannels,
    SmtpServer,
    email_address,
    email_addresses,
)
from whatsapp.automations.egress import EgressPolicy
from whatsapp.flows.keys import load_keys
from whatsapp.kit.secrets import DEVELOPMENT_KEY, SecretBox

DEFAULT_SANDBOX_PORT = 8787


class Settings(BaseSettings):
    # hide_input_in_errors: a bad value is never echoed, as it may be a secret (a URL with a
    # password or a token in it).
    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", populate_by_name=True, hide_input_in_errors=True
    )

    environment: Literal["development", "test", "production"] = Field(
        "development", validation_alias="WAGRAPH_ENV"
    )
    host: str = Field("127.0.0.1", validation_alias="WAGRAPH_HOST")
    port: int = Field(8000, validation_alias="WAGRAPH_PORT")
    public_url: str | None = Field(
        None,
        validation_alias="WAGRAPH_PUBLIC_URL",
        description="How Meta (or the sandbox) reaches this server; defaults to http://host:port.",
    )

    database_url: str = Field("sqlite://./data/wagraph.sqlite3", validation_alias="DATABASE_URL")
    redis_url: str | None = Field(None, validation_alias="REDIS_URL")
    queue_name: str = Field("wagraph:queue", validation_alias="WAGRAPH_QUEUE_NAME")

    meta_access_token: SecretStr = Field(
        SecretStr("sandbox-token"), validation_alias="META_ACCESS_TOKEN"
    )
    meta_phone_number_id: str = Field("106540352242922", validation_alias="META_PHONE_NUMBER_ID")
    meta_business_id: str | None = Field(
        "102290129340398",
        validation_alias=AliasChoices(
            "META_WHATSAPP_BUSINESS_ID", "META_WHATSAPP_BUSINESS_ACCOUNT_ID"
        ),
    )
    meta_app_secret: SecretStr | None = Field(
        SecretStr("sandbox-app-secret"), validation_alias="META_APP_SECRET"
    )
    meta_verify_token: SecretStr | None = Field(None, validation_alias="META_VERIFY_TOKEN")
    graph_api_base_url: str | None = Field(
        None,
        validation_alias="META_GRAPH_API_BASE_URL",
        description="Defaults to the embedded sandbox when it runs, else https://graph.facebook.com.",
    )
    graph_api_version: str = Field("v25.0", validation_alias="META_GRAPH_API_VERSION")
    marketing_messages_api: bool | None = Field(
        None,
        validation_alias="WAGRAPH_MARKETING_MESSAGES_API",
        description="Send MARKETING templates to /{PNID}/marketing_messages (Meta's Marketing "
        "Messages API, which needs its terms accepted) instead of /messages. Unset: on with the "
        "built-in sandbox, off with any Graph API base URL (the real one included).",
    )

    sandbox_enabled: bool = Field(True, validation_alias="WAGRAPH_SANDBOX")
    sandbox_port: int = Field(DEFAULT_SANDBOX_PORT, validation_alias="WAGRAPH_SANDBOX_PORT")

    http_timeout_s: float = Field(10.0, validation_alias="WAGRAPH_HTTP_TIMEOUT")
    http_max_connections: int = Field(32, validation_alias="WAGRAPH_HTTP_MAX_CONNECTIONS")
    cloud_max_attempts: int = Field(4, validation_alias="WAGRAPH_CLOUD_MAX_ATTEMPTS")
    cloud_backoff_base_s: float = Field(0.2, validation_alias="WAGRAPH_CLOUD_BACKOFF_BASE")
    cloud_backoff_max_s: float = Field(5.0, validation_alias="WAGRAPH_CLOUD_BACKOFF_MAX")

    max_query_depth: int = Field(12, validation_alias="WAGRAPH_MAX_QUERY_DEPTH")
    max_query_tokens: int = Field(4000, validation_alias="WAGRAPH_MAX_QUERY_TOKENS")
    max_query_cost: int = Field(
        10_000,
        validation_alias="WAGRAPH_MAX_QUERY_COST",
        ge=1,
        description="The most a GraphQL request may cost (schema/cost.py: about one per value "
        "in the response, pages counted at their size); past it, QUERY_TOO_COSTLY.",
    )
    max_response_bytes: int = Field(
        10_000_000,
        validation_alias="WAGRAPH_MAX_RESPONSE_BYTES",
        ge=1024,
        description="The largest GraphQL response over HTTP; past it, RESPONSE_TOO_LARGE.",
    )
    introspection: bool | None = Field(
        None,
        validation_alias="WAGRAPH_INTROSPECTION",
        description="Schema introspection (__schema, __type). Unset: on, off in production.",
    )
    graphiql: bool | None = Field(
        None,
        validation_alias="WAGRAPH_GRAPHIQL",
        description="Serve GraphiQL at GET /graphql. Unset: on, off in production.",
    )
    max_body_bytes: int = Field(1_000_000, validation_alias="WAGRAPH_MAX_BODY_BYTES")
    max_webhook_bytes: int = Field(3 * 1024 * 1024, validation_alias="WAGRAPH_MAX_WEBHOOK_BYTES")
    max_json_depth: int = Field(
        64,
        validation_alias="WAGRAPH_MAX_JSON_DEPTH",
        ge=8,
        le=512,
        description="Deepest nesting of arrays and objects in a JSON request body (GraphQL or "
        "webhook); deeper bodies get 400 before they are parsed.",
    )
    unverified_body_budget_bytes: int = Field(
        64 * 1024 * 1024,
        validation_alias="WAGRAPH_UNVERIFIED_BODY_BUDGET_BYTES",
        gt=0,
        description="Bytes of webhook and Flows bodies held at once, in total, before their "
        "signatures are checked; past it 503 with Retry-After. At least the largest body.",
    )
    unverified_body_timeout_s: float = Field(
        30.0,
        validation_alias="WAGRAPH_UNVERIFIED_BODY_TIMEOUT",
        gt=0,
        description="Seconds a webhook or Flows body may take to arrive (408 after).",
    )
    background_interval_s: float = Field(
        1.0,
        validation_alias="WAGRAPH_BACKGROUND_INTERVAL",
        description="Seconds between in-process sweeps (inbox retries, automations); 0 = off.",
    )
    max_upload_bytes: int = Field(100 * 1024 * 1024, validation_alias="WAGRAPH_MAX_UPLOAD_BYTES")

    rate_limit_mps: float = Field(
        80,
        validation_alias="WAGRAPH_RATE_LIMIT_MPS",
        gt=0,
        le=1000,
        description="Messages per second per phone number (Meta: 80 by default, up to 1,000).",
    )
    scheduled_max_attempts: int = Field(5, validation_alias="WAGRAPH_SCHEDULED_MAX_ATTEMPTS", ge=1)
    scheduled_batch: int = Field(500, validation_alias="WAGRAPH_SCHEDULED_BATCH", ge=1)
    scheduled_concurrency: int = Field(64, validation_alias="WAGRAPH_SCHEDULED_CONCURRENCY", ge=1)
    lease_recovery: Literal["fail", "retry"] = Field(
        "fail",
        validation_alias="WAGRAPH_LEASE_RECOVERY",
        description="A send interrupted by a crash: FAILED (at most once) or retried.",
    )
    enforce_service_window: bool = Field(True, validation_alias="WAGRAPH_ENFORCE_SERVICE_WINDOW")
    consent_stop_keywords: str = Field(
        "STOP,UNSUBSCRIBE",
        validation_alias="WAGRAPH_CONSENT_STOP_KEYWORDS",
        description="Comma-separated: a customer's whole message equal to one of these (any "
        "case) opts them out of marketing messages; empty turns keywords off.",
    )
    consent_start_keywords: str = Field(
        "START,UNSTOP",
        validation_alias="WAGRAPH_CONSENT_START_KEYWORDS",
        description="Comma-separated: a customer's whole message equal to one of these opts "
        "them back in.",
    )
    automation_webhook_secret: SecretStr = Field(
        SecretStr("wagraph-development-signing-secret"),
        validation_alias="WAGRAPH_AUTOMATION_WEBHOOK_SECRET",
    )
    automation_webhook_timeout_s: float = Field(
        5.0, validation_alias="WAGRAPH_AUTOMATION_WEBHOOK_TIMEOUT"
    )
    notify_webhook_url: SecretStr | None = Field(
        None,
        validation_alias="WAGRAPH_NOTIFY_WEBHOOK_URL",
        description="A Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat, "
        "Discord's …/slack) for automations' notify actions; it is a secret.",
    )
    smtp_url: SecretStr | None = Field(
        None,
        validation_alias="WAGRAPH_SMTP_URL",
        description="smtp://user:password@host:587 (STARTTLS) or smtps://…:465 (TLS) for "
        "notify e-mails; needs WAGRAPH_NOTIFY_EMAIL_FROM and _TO.",
    )
    notify_email_from: str | None = Field(None, validation_alias="WAGRAPH_NOTIFY_EMAIL_FROM")
    notify_email_to: str = Field(
        "",
        validation_alias="WAGRAPH_NOTIFY_EMAIL_TO",
        description="Comma-separated addresses that notify e-mails go to.",
    )
    outbound_allow: str = Field(
        "",
        validation_alias="WAGRAPH_OUTBOUND_ALLOW",
        description="Comma-separated CIDRs, addresses, host names or *.suffixes that automation "
        "webhooks may reach although they are internal (loopback, private, link-local, cloud "
        "metadata…). Empty: public addresses only.",
    )
    secrets_key: SecretStr | None = Field(
        None,
        validation_alias="WAGRAPH_SECRETS_KEY",
        description="The Fernet key that seals secrets stored in automations (`wagraph secrets "
        "keygen`); required in production. Elsewhere a development key stands in.",
    )
    secrets_previous_keys: SecretStr | None = Field(
        None,
        validation_alias="WAGRAPH_SECRETS_PREVIOUS_KEYS",
        description="Comma-separated keys that still open stored secrets during a rotation.",
    )

    flows_private_key: SecretStr | None = Field(
        None,
        validation_alias="WAGRAPH_FLOWS_PRIVATE_KEY",
        description="The Flows endpoint's current RSA private key: PEM text or a PEM file's "
        "path (`wagraph flows keygen` writes one).",
    )
    flows_previous_keys: str = Field(
        "",
        validation_alias="WAGRAPH_FLOWS_PREVIOUS_KEYS",
        description="Comma-separated PEM file paths of keys still accepted after the current "
        "one: the previous key during a rotation, other numbers' keys.",
    )
    flows_key_passphrase: SecretStr | None = Field(
        None, validation_alias="WAGRAPH_FLOWS_KEY_PASSPHRASE"
    )
    flow_token_ttl_days: float = Field(
        7.0,
        validation_alias="WAGRAPH_FLOW_TOKEN_TTL_DAYS",
        gt=0,
        description="A flow token is refused (427) this long after it was issued.",
    )
    max_flow_request_bytes: int = Field(
        1024 * 1024, validation_alias="WAGRAPH_MAX_FLOW_REQUEST_BYTES", ge=1024
    )
    dev_flows_key_file: str = Field(
        "./data/flows-dev-key.pem", validation_alias="WAGRAPH_DEV_FLOWS_KEY_FILE"
    )

    dev_api_key_file: str = Field("./data/dev-api-key", validation_alias="WAGRAPH_DEV_KEY_FILE")

    pricing_rates: str | None = Field(
        None,
        validation_alias="WAGRAPH_PRICING_RATES",
        description="Prices per charged message for messageStats' cost view, as JSON: "
        '{"currency": "EUR", "rates": {"marketing": 0.06, "utility": 0.03}}. Unset: counts only.',
    )

    analytics_timeout_s: float = Field(
        10.0,
        validation_alias="WAGRAPH_ANALYTICS_TIMEOUT",
        ge=0,
        description="Seconds one analytics statement may run on PostgreSQL before it is "
        "cancelled with QUERY_TIMEOUT (0: no limit).",
    )

    @model_validator(mode="after")
    def _pricing_rates_valid(self) -> Settings:
        self.pricing_rate_table()
        return self

    def pricing_rate_table(self) -> PricingRates | None:
        """The operator's rate table (ValueError naming the setting when it is malformed)."""
        if not self.pricing_rates:
            return None
        try:
            return PricingRates.parse(self.pricing_rates)
        except ValueError as exc:
            raise ValueError(f"WAGRAPH_PRICING_RATES: {exc}") from None

    live_max_subscriptions: int = Field(
        20,
        validation_alias="WAGRAPH_LIVE_MAX_SUBSCRIPTIONS",
        ge=1,
        description="Operations (subscriptions) one websocket connection may run at once.",
    )
    live_queue_size: int = Field(
        100,
        validation_alias="WAGRAPH_LIVE_QUEUE_SIZE",
        ge=1,
        description="Updates held per subscription for a slow client; past it the oldest "
        "are dropped and the next update says how many (`missed`).",
    )
    live_channel: str = Field(
        "wagraph:live",
        validation_alias="WAGRAPH_LIVE_CHANNEL",
        description="The Redis pub/sub channel live updates cross processes on.",
    )
    key_cache_ttl_s: float = Field(
        1.0,
        validation_alias="WAGRAPH_KEY_CACHE_TTL",
        ge=0,
        le=60,
        description="Seconds an authenticated API key is trusted without a query; also how "
        "often open websockets re-check their key. A revoke or scope change made in another "
        "process takes effect here within it. 0 turns the cache off.",
    )
    key_cache_size: int = Field(
        10_000,
        validation_alias="WAGRAPH_KEY_CACHE_SIZE",
        ge=1,
        description="Authenticated keys the cache holds (least recently used out first).",
    )
    key_changes_channel: str = Field(
        "wagraph:keys",
        validation_alias="WAGRAPH_KEY_CHANGES_CHANNEL",
        description="With Redis, the pub/sub channel revokes and scope changes reach every "
        "process on at once (the cache TTL remains the fallback).",
    )

    @model_validator(mode="after")
    def _real_secrets_outside_development(self) -> Settings:
        if self.environment != "development":
            secret = self.meta_app_secret.get_secret_value() if self.meta_app_secret else ""
            if not secret or secret == "sandbox-app-secret":
                # An empty secret verifies against an empty key, which anyone can forge.
                raise ValueError("META_APP_SECRET must be set outside development")
        if self.environment == "production":
            signing = self.automation_webhook_secret.get_secret_value()
            if signing == "wagraph-development-signing-secret":
                raise ValueError(
                    "WAGRAPH_AUTOMATION_WEBHOOK_SECRET must be set outside development"
                )
        return self

    @model_validator(mode="after")
    def _notify_channels_complete(self) -> Settings:
        """A notify channel is configured whole and well, or the process does not start."""
        self.notify_channels()
        return self

    def notify_channels(self) -> NotifyChannels:
        """Where automations' notify actions go (ValueError naming the setting at fault)."""
        webhook = self.notify_webhook_url.get_secret_value() if self.notify_webhook_url else None
        if webhook is not None:
            parts = urlsplit(webhook)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError("WAGRAPH_NOTIFY_WEBHOOK_URL must be an http(s) URL")
        smtp = self.smtp_url.get_secret_value() if self.smtp_url else None
        try:
            server = SmtpServer.from_url(smtp) if smtp else None
        except ValueError as exc:
            raise ValueError(f"WAGRAPH_SMTP_URL: {exc}") from None
        email_from, email_to = self._notify_addresses()
        if server is not None and not (email_from and email_to):
            raise ValueError(
                "WAGRAPH_SMTP_URL needs WAGRAPH_NOTIFY_EMAIL_FROM and WAGRAPH_NOTIFY_EMAIL_TO"
            )
        if server is None and (email_from or email_to):
            raise ValueError("WAGRAPH_NOTIFY_EMAIL_FROM and _TO need WAGRAPH_SMTP_URL")
        return NotifyChannels(
            webhook_url=webhook, smtp=server, email_from=email_from, email_to=email_to
        )

    def _notify_addresses(self) -> tuple[str | None, tuple[str, ...]]:
        try:
            sender = (self.notify_email_from or "").strip() or None
            if sender is not None:
                email_address(sender)  # checked; kept as given, a display name included
            return sender, email_addresses(self.notify_email_to)
        except ValueError as exc:
            raise ValueError(f"WAGRAPH_NOTIFY_EMAIL_FROM / _TO: {exc}") from None

    @model_validator(mode="after")
    def _outbound_and_secrets_valid(self) -> Settings:
        """The allow-list and the secrets keys are well-formed, or the process does not start."""
        self.outbound_policy()
        if self.environment == "production" and self.secrets_key is None:
            raise ValueError("WAGRAPH_SECRETS_KEY must be set in production")
        self.secret_box()
        return self

    def outbound_policy(self) -> EgressPolicy:
        """Where automation webhooks may connect (ValueError naming the setting)."""
        return EgressPolicy.parse(self.outbound_allow.split(","))

    def secret_box(self) -> SecretBox:
        """What seals and opens stored secrets (ValueError naming the setting at fault)."""
        current = self.secrets_key.get_secret_value() if self.secrets_key else DEVELOPMENT_KEY
        previous_text = (
            self.secrets_previous_keys.get_secret_value() if self.secrets_previous_keys else ""
        )
        previous = [key.strip() for key in previous_text.split(",") if key.strip()]
        try:
            return SecretBox.from_keys(current, previous)
        except ValueError as exc:
            raise ValueError(f"WAGRAPH_SECRETS_KEY / _PREVIOUS_KEYS: {exc}") from None

    def flows_keys(self) -> list[RSAPrivateKey]:
        """The Flows private keys, current first (ValueError naming the one at fault)."""
        current = self.flows_private_key.get_secret_value() if self.flows_private_key else None
        previous = [p.strip() for p in self.flows_previous_keys.split(",") if p.strip()]
        passphrase = (
            self.flows_key_passphrase.get_secret_value() if self.flows_key_passphrase else None
        )
        return load_keys(current, previous, passphrase)

    @property
    def graph_base_url(self) -> str:
        if self.graph_api_base_url:
            return self.graph_api_base_url.rstrip("/")
        if self.sandbox_enabled:
            return f"http://127.0.0.1:{self.sandbox_port}"
        return "https://graph.facebook.com"

    @property
    def marketing_messages_enabled(self) -> bool:
        if self.marketing_messages_api is not None:
            return self.marketing_messages_api
        return self.graph_api_base_url is None and self.sandbox_enabled

    @property
    def introspection_enabled(self) -> bool:
        if self.introspection is not None:
            return self.introspection
        return self.environment != "production"

    @property
    def graphiql_enabled(self) -> bool:
        if self.graphiql is not None:
            return self.graphiql
        return self.environment != "production"

    @property
    def self_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def verify_token(self) -> str | None:
        return self.meta_verify_token.get_secret_value() if self.meta_verify_token else None

    @property
    def app_secret(self) -> str | None:
        return self.meta_app_secret.get_secret_value() if self.meta_app_secret else None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
