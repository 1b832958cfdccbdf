from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tests.whatsapp.automations.allow import allowing
from tests.whatsapp.automations.operators import (
    Inbox,
    Mailbox,
    channels_for,
    configured,
    inbox_at,
    mailbox_at,
)
from whatsapp.automations.channels import NotifyChannels
from whatsapp.runtime import Runtime


@pytest.fixture
def rt(client: httpx.AsyncClient) -> Runtime:
    """The app's runtime (its Cloud client points at the test sandbox)."""
    return client.app.state.runtime  # type: ignore[attr-defined, no-any-return]


@pytest.fixture
def loopback_allowed(rt: Runtime) -> Iterator[None]:
    """127.0.0.1 allowed for automation webhooks (after the app installed its own policy)."""
    with allowing("127.0.0.1"):
        yield


@pytest.fixture(scope="session")
async def inbox_server() -> AsyncIterator[tuple[Inbox, str]]:
    async with inbox_at() as pair:
        yield pair


@pytest.fixture(scope="session")
async def mailbox_server() -> AsyncIterator[tuple[Mailbox, int]]:
    async with mailbox_at() as pair:
        yield pair


@pytest.fixture
def inbox(inbox_server: tuple[Inbox, str]) -> Inbox:
    """The operators' incoming webhook, emptied; it answers 200 unless told otherwise."""
    inbox_server[0].reset()
    return inbox_server[0]


@pytest.fixture
def mailbox(mailbox_server: tuple[Mailbox, int]) -> Mailbox:
    """The operators' SMTP server, emptied; it accepts everything but nobody@…"""
    mailbox_server[0].reset()
    return mailbox_server[0]


@pytest.fixture
def notify_channels(
    inbox_server: tuple[Inbox, str], mailbox_server: tuple[Mailbox, int]
) -> Iterator[NotifyChannels]:
    """Both notify channels configured (as settings would), pointing at the two above."""
    with configured(channels_for(inbox_server[1], mailbox_server[1])) as channels:
        yield channels
