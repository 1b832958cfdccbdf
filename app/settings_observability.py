"""The settings that say how wagraph is watched (metrics, logs, traces): one group of
`Settings`, kept apart so each module stays small."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings

LogFormat = Literal["console", "json"]


class Observability(BaseSettings):
    metrics_token: SecretStr | None = Field(
        None,
        validation_alias="WAGRAPH_METRICS_TOKEN",
        description="When set, GET /metrics (and the worker's metrics port) needs "
        "`Authorization: Bearer <this>`; unset, /metrics is open (bind it to a private "
        "network). Not an API key: Prometheus holds it. A secret.",
    )
    metrics_db_timeout_s: float = Field(
        2.0,
        validation_alias="WAGRAPH_METRICS_DB_TIMEOUT",
        gt=0,
        description="How long /metrics waits for the backlog queries (scheduled, inbox) "
        "before answering without those gauges, so a slow database never hangs a scrape.",
    )
    worker_metrics_port: int | None = Field(
        None,
        validation_alias="WAGRAPH_WORKER_METRICS_PORT",
        ge=1,
        le=65535,
        description="When set, `wagraph worker` serves its own Prometheus metrics on this port "
        "(bound to WAGRAPH_HOST; several workers on one host need one port each).",
    )
    log_format: LogFormat | None = Field(
        None,
        validation_alias="WAGRAPH_LOG_FORMAT",
        description="console (readable lines) or json (one JSON object a line). Unset: json in "
        "production, console elsewhere.",
    )
    otel_enabled: bool = Field(
        False,
        validation_alias="WAGRAPH_OTEL_ENABLED",
        description="Export OpenTelemetry traces over OTLP/HTTP (also on whenever "
        "OTEL_EXPORTER_OTLP_ENDPOINT is set); the exporter reads the standard OTEL_* "
        "variables (headers, service name).",
    )
    otel_endpoint: str | None = Field(
        None,
        validation_alias="OTEL_EXPORTER_OTLP_ENDPOINT",
        description="The OTLP/HTTP collector (http://collector:4318); traces go to "
        "<this>/v1/traces. Setting it turns tracing on.",
    )

    @property
    def tracing_enabled(self) -> bool:
        return self.otel_enabled or bool(self.otel_endpoint)

    def resolved_log_format(self, environment: str) -> LogFormat:
        if self.log_format is not None:
            return self.log_format
        return "json" if environment == "production" else "console"
