"""The checks across settings that `Settings` runs once every value has parsed: each returns
its problems as lines naming the variable and what to do, so an operator sees them all at once."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from app.settings import Settings

# The built-in sandbox's account: fine for development, never what Meta knows.
SANDBOX_PHONE_NUMBER_ID = "106540352242922"
SANDBOX_BUSINESS_ID = "102290129340398"
DATABASE_SCHEMES = frozenset({"sqlite", "postgres", "postgresql", "asyncpg", "psycopg"})
REDIS_SCHEMES = frozenset({"redis", "rediss", "unix"})


def url_problems(settings: Settings) -> list[str]:
    """DATABASE_URL and REDIS_URL of a scheme wagraph speaks."""
    problems = []
    scheme = urlsplit(settings.database_url.strip()).scheme
    if not settings.database_url.strip():
        problems.append(
            "DATABASE_URL is empty: set sqlite://./data/wagraph.sqlite3 or "
            "postgres://user:password@host:5432/wagraph (or unset it for the default)"
        )
    elif scheme not in DATABASE_SCHEMES:
        problems.append(
            "DATABASE_URL must start with sqlite:// or postgres:// "
            "(e.g. postgres://user:password@host:5432/wagraph)"
        )
    if settings.redis_url and urlsplit(settings.redis_url).scheme not in REDIS_SCHEMES:
        problems.append(
            "REDIS_URL must be redis://host:6379/0, rediss://… (TLS) or unix://…; "
            "unset it to run without Redis"
        )
    return problems


def missing_for_environment(settings: Settings) -> list[str]:
    """What development lends (sandbox credentials, published keys) and going live must
    replace."""
    missing = []
    if settings.environment != "development":
        secret = settings.meta_app_secret.get_secret_value() if settings.meta_app_secret else ""
        if not secret or secret == "sandbox-app-secret":
            # An empty secret verifies against an empty key, which anyone can forge.
            missing.append(
                "META_APP_SECRET must be set outside development: the App secret from your "
                "Meta app's dashboard (App settings > Basic)"
            )
    if settings.environment != "production":
        return missing
    signing = settings.automation_webhook_secret.get_secret_value()
    if signing == "wagraph-development-signing-secret":
        missing.append(
            "WAGRAPH_AUTOMATION_WEBHOOK_SECRET must be set in production: a long random "
            "string (openssl rand -hex 32) your automation receivers verify signatures with"
        )
    if settings.secrets_key is None:
        missing.append(
            "WAGRAPH_SECRETS_KEY must be set in production: generate one with "
            "`wagraph secrets keygen`"
        )
    if settings.uses_built_in_sandbox:
        return missing
    token = settings.meta_access_token.get_secret_value()
    if not token or token == "sandbox-token":
        missing.append(
            "META_ACCESS_TOKEN must be set in production: a System User token with "
            "whatsapp_business_messaging and whatsapp_business_management (Meta Business "
            "settings > Users > System users > Generate token)"
        )
    if settings.meta_phone_number_id in ("", SANDBOX_PHONE_NUMBER_ID):
        missing.append(
            "META_PHONE_NUMBER_ID must be set in production: the Phone number ID shown in "
            "your Meta app under WhatsApp > API Setup"
        )
    if settings.meta_business_id in (None, "", SANDBOX_BUSINESS_ID):
        missing.append(
            "META_WHATSAPP_BUSINESS_ID must be set in production: the WhatsApp Business "
            "Account ID shown in your Meta app under WhatsApp > API Setup"
        )
    if not settings.verify_token:
        missing.append(
            "META_VERIFY_TOKEN must be set in production: any random string, typed again "
            "as the Verify token when you configure the webhook in Meta's app dashboard"
        )
    return missing
