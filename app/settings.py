"""Typed settings, read once from the environment (and an optional `.env`)."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from app.settings_checks import (
    SANDBOX_BUSINESS_ID,
    SANDBOX_PHONE_NUMBER_ID,
    missing_for_environment,
    url_problems,
)
from app.settings_dashboard import Dashboard
from app.settings_limits import RequestLimits
from app.settings_observability import Observability
from app.settings_resilience import Resilience
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


class Settings(Dashboard, RequestLimits, Observability, Resilience):
    # hide_input_in_errors: a bad value is never echoed, as it may be a secret (a URL with a
    # password or a token in it).
    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", populate_by_name=True, hide_input_in_errors=True
    )

    environment: Literal["development", "test", "production"] = Field(
        "development",
        validation_alias="WAGRAPH_ENV",
        description="development, test or production. Production needs real Meta credentials and "
        "secrets (the server lists every one missing), talks to "
        "https://graph.facebook.com and turns introspection and GraphiQL off.",
    )
    host: str = Field(
        "127.0.0.1",
        validation_alias="WAGRAPH_HOST",
        description="The address the server listens on; 0.0.0.0 behind a reverse proxy in a "
        "container.",
    )
    port: int = Field(
        8000,
        validation_alias="WAGRAPH_PORT",
        description="The port the server listens on.",
    )
    workers: int = Field(
        1,
        validation_alias="WAGRAPH_WORKERS",
        ge=1,
        description="Server processes sharing the port, one per core at most (uvicorn's workers, "
        "not `wagraph worker`). Above 1 it needs PostgreSQL, REDIS_URL and a sandbox run apart "
        "(`wagraph sandbox`).",
    )
    public_url: str | None = Field(
        None,
        validation_alias="WAGRAPH_PUBLIC_URL",
        description="How Meta (or the sandbox) reaches this server; defaults to http://host:port.",
    )

    database_url: str = Field(
        "sqlite://./data/wagraph.sqlite3",
        validation_alias="DATABASE_URL",
        description="sqlite://PATH or postgres://user:password@host:5432/db (PostgreSQL in "
        "production); `wagraph migrate` creates the tables.",
    )
    redis_url: str | None = Field(
        None,
        validation_alias="REDIS_URL",
        description="redis://host:6379/0 for arq workers, shared rate limits and live updates "
        "across processes; unset: everything in-process.",
    )
    queue_name: str = Field(
        "wagraph:queue",
        validation_alias="WAGRAPH_QUEUE_NAME",
        description="The arq queue name; deployments sharing one Redis use different names.",
    )

    meta_access_token: SecretStr = Field(
        SecretStr("sandbox-token"),
        validation_alias="META_ACCESS_TOKEN",
        description="A System User token with whatsapp_business_messaging and "
        "whatsapp_business_management; required in production. A secret.",
    )
    meta_phone_number_id: str = Field(
        SANDBOX_PHONE_NUMBER_ID,
        validation_alias="META_PHONE_NUMBER_ID",
        description="The business phone number id to send from (WhatsApp > API Setup in "
        "Meta's app dashboard); required in production.",
    )
    meta_business_id: str | None = Field(
        SANDBOX_BUSINESS_ID,
        validation_alias=AliasChoices(
            "META_WHATSAPP_BUSINESS_ID", "META_WHATSAPP_BUSINESS_ACCOUNT_ID"
        ),
        description="The WhatsApp Business Account id (WhatsApp > API Setup), for templates; "
        "required in production. Alias META_WHATSAPP_BUSINESS_ACCOUNT_ID.",
    )
    meta_app_secret: SecretStr | None = Field(
        SecretStr("sandbox-app-secret"),
        validation_alias="META_APP_SECRET",
        description="The Meta app's App secret (App settings > Basic): verifies webhook "
        "signatures; required outside development. A secret.",
    )
    meta_verify_token: SecretStr | None = Field(
        None,
        validation_alias="META_VERIFY_TOKEN",
        description="Any random string, typed again as the Verify token of the webhook in Meta's "
        "app dashboard; required in production.",
    )
    graph_api_base_url: str | None = Field(
        None,
        validation_alias="META_GRAPH_API_BASE_URL",
        description="Defaults to the built-in sandbox when it runs (development), else "
        "https://graph.facebook.com (production).",
    )
    graph_api_version: str = Field(
        "v25.0",
        validation_alias="META_GRAPH_API_VERSION",
        description="The Graph API version (vNN.0); Meta retires one about two years after its "
        "release.",
    )
    marketing_messages_api: bool | None = Field(
        None,
        validation_alias="WAGRAPH_MARKETING_MESSAGES_API",
        description="Send MARKETING templates to /{PNID}/marketing_messages (Meta's Marketing "
        "Messages API, which needs its terms accepted) instead of /messages. Unset: on with the "
        "built-in sandbox, off with any Graph API base URL (the real one included).",
    )

    sandbox_enabled: bool = Field(
        True,
        validation_alias="WAGRAPH_SANDBOX",
        description="Run the built-in Cloud API sandbox beside the server when no "
        "META_GRAPH_API_BASE_URL is set. Unset: on, off in production (set true to ask for it).",
    )
    sandbox_port: int = Field(
        DEFAULT_SANDBOX_PORT,
        validation_alias="WAGRAPH_SANDBOX_PORT",
        description="The built-in sandbox's port.",
    )

    http_timeout_s: float = Field(
        10.0,
        validation_alias="WAGRAPH_HTTP_TIMEOUT",
        description="Seconds per Cloud API request.",
    )
    http_max_connections: int = Field(
        128,
        validation_alias="WAGRAPH_HTTP_MAX_CONNECTIONS",
        ge=1,
        description="Connections towards the Cloud API (in pools of 4: whatsapp.cloud.pool). "
        "A remote Meta needs rate x round trip in flight: 1,000 msg/s at 100 ms is 100.",
    )
    cloud_max_attempts: int = Field(
        4,
        validation_alias="WAGRAPH_CLOUD_MAX_ATTEMPTS",
        description="Attempts for retryable Cloud API failures (5xx, timeouts, throttling).",
    )
    cloud_backoff_base_s: float = Field(
        0.2,
        validation_alias="WAGRAPH_CLOUD_BACKOFF_BASE",
        description="Seconds of the first retry's backoff (exponential, with jitter).",
    )
    cloud_backoff_max_s: float = Field(
        5.0,
        validation_alias="WAGRAPH_CLOUD_BACKOFF_MAX",
        description="The longest backoff between Cloud API retries, in seconds.",
    )

    background_interval_s: float = Field(
        1.0,
        validation_alias="WAGRAPH_BACKGROUND_INTERVAL",
        description="Seconds between in-process sweeps (inbox retries, automations); 0 = off.",
    )
    max_upload_bytes: int = Field(
        100 * 1024 * 1024,
        validation_alias="WAGRAPH_MAX_UPLOAD_BYTES",
        description="Largest media upload (Meta's own maximum is 100 MB).",
    )

    rate_limit_mps: float = Field(
        80,
        validation_alias="WAGRAPH_RATE_LIMIT_MPS",
        gt=0,
        le=1000,
        description="Messages per second per phone number (Meta: 80 by default, up to 1,000).",
    )
    scheduled_max_attempts: int = Field(
        5,
        validation_alias="WAGRAPH_SCHEDULED_MAX_ATTEMPTS",
        ge=1,
        description="Attempts for a scheduled message's retryable failures (throttling does not "
        "count).",
    )
    scheduled_batch: int = Field(
        500,
        validation_alias="WAGRAPH_SCHEDULED_BATCH",
        ge=1,
        description="Scheduled messages claimed per pass.",
    )
    scheduled_concurrency: int = Field(
        128,
        validation_alias="WAGRAPH_SCHEDULED_CONCURRENCY",
        ge=1,
        description="Scheduled sends in flight per worker.",
    )
    lease_recovery: Literal["fail", "retry"] = Field(
        "fail",
        validation_alias="WAGRAPH_LEASE_RECOVERY",
        description="A send interrupted by a crash: FAILED (at most once) or retried.",
    )
    shutdown_grace_s: float = Field(
        30.0,
        validation_alias="WAGRAPH_SHUTDOWN_GRACE",
        ge=0,
        description="On SIGTERM, seconds a worker (or server) lets sends already on their way "
        "to Meta finish; claimed messages not yet sent go back to SCHEDULED at once.",
    )
    enforce_service_window: bool = Field(
        True,
        validation_alias="WAGRAPH_ENFORCE_SERVICE_WINDOW",
        description="Refuse free-form sends outside the 24-hour window before calling Meta.",
    )
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
        description="Signs automation webhooks (X-Wagraph-Signature-256); required in production. "
        "A secret.",
    )
    automation_webhook_timeout_s: float = Field(
        5.0,
        validation_alias="WAGRAPH_AUTOMATION_WEBHOOK_TIMEOUT",
        description="Seconds per automation webhook attempt.",
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
    notify_email_from: str | None = Field(
        None,
        validation_alias="WAGRAPH_NOTIFY_EMAIL_FROM",
        description="The sender of notify e-mails (alerts@example.com or wagraph "
        "<alerts@example.com>).",
    )
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
        None,
        validation_alias="WAGRAPH_FLOWS_KEY_PASSPHRASE",
        description="The passphrase of encrypted Flows PEM keys. A secret.",
    )
    flow_token_ttl_days: float = Field(
        7.0,
        validation_alias="WAGRAPH_FLOW_TOKEN_TTL_DAYS",
        gt=0,
        description="A flow token is refused (427) this long after it was issued.",
    )
    max_flow_request_bytes: int = Field(
        1024 * 1024,
        validation_alias="WAGRAPH_MAX_FLOW_REQUEST_BYTES",
        ge=1024,
        description="Larger Flows requests get 413.",
    )
    dev_flows_key_file: str = Field(
        "./data/flows-dev-key.pem",
        validation_alias="WAGRAPH_DEV_FLOWS_KEY_FILE",
        description="Where development keeps its Flows key (made once).",
    )

    dev_api_key_file: str = Field(
        "./data/dev-api-key",
        validation_alias="WAGRAPH_DEV_KEY_FILE",
        description="Where `make run` keeps its development API key.",
    )

    pricing_rates: str | None = Field(
        None,
        validation_alias="WAGRAPH_PRICING_RATES",
        description="Prices per charged message for messageStats' cost view, as JSON: "
        '{"currency": "EUR", "rates": {"marketing": 0.06, "utility": 0.03}}. Unset: counts only.',
    )

    def pricing_rate_table(self) -> PricingRates | None:
        """The operator's rate table (ValueError naming the setting when it is malformed)."""
        if not self.pricing_rates:
            return None
        try:
            return PricingRates.parse(self.pricing_rates)
        except ValueError as exc:
            raise ValueError(f"WAGRAPH_PRICING_RATES: {exc}") from None

    @model_validator(mode="after")
    def _whole_configuration(self) -> Settings:
        """Every problem between settings at once, one line each naming its variable and what
        to do (`app.cli.common.load_settings` prints them one per line): an operator going
        live fixes them in one pass, not one restart per variable."""
        if "sandbox_enabled" not in self.model_fields_set:
            # Production talks to Meta unless the sandbox is asked for by name.
            self.sandbox_enabled = self.environment != "production"
        problems = url_problems(self) + missing_for_environment(self)
        for check in (
            self.pricing_rate_table,
            self.notify_channels,
            self.outbound_policy,
            self.secret_box,
        ):
            try:
                check()
            except ValueError as exc:
                problems.append(str(exc))
        if problems:
            raise ValueError("\n".join(problems))
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
    def uses_built_in_sandbox(self) -> bool:
        """Whether `wagraph serve` runs the sandbox and the Cloud API calls go to it."""
        return self.graph_api_base_url is None and self.sandbox_enabled

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
