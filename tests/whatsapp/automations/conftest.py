from __future__ import annotations

import httpx
import pytest

from whatsapp.runtime import Runtime


@pytest.fixture
def rt(client: httpx.AsyncClient) -> Runtime:
    """The app's runtime (its Cloud client points at the test sandbox)."""
    return client.app.state.runtime  # type: ignore[attr-defined, no-any-return]
