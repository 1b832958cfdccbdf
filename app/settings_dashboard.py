"""The settings of the operator dashboard and of `GET /media/{messageId}`, the media proxy it
shows pictures and voice notes through: one group of `Settings`, kept apart so each module
stays small."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings

MB = 1024 * 1024


class Dashboard(BaseSettings):
    dashboard_enabled: bool = Field(
        True,
        validation_alias="WAGRAPH_DASHBOARD",
        description="Serve the operator dashboard at /dashboard (static files only: it reads "
        "everything through GraphQL with the API key the person enters). Off: /dashboard is "
        "404 and / is not redirected to it.",
    )
    media_max_bytes: int = Field(
        16 * MB,
        validation_alias="WAGRAPH_MEDIA_MAX_BYTES",
        ge=1024,
        description="The largest file GET /media/{messageId} fetches from Meta and serves; "
        "larger media is refused (502, MEDIA_TOO_LARGE) before it is downloaded.",
    )
    media_cache_bytes: int = Field(
        64 * MB,
        validation_alias="WAGRAPH_MEDIA_CACHE_BYTES",
        ge=0,
        description="Memory per server process for media already fetched from Meta (least "
        "recently used out first; at most 1,000 files, each at most a quarter of this). "
        "0 turns the cache off.",
    )
