"""build_reaction and build_mark_as_read."""

from __future__ import annotations

import pytest

from tests.whatsapp.messages.payloads.samples import (
    INVALID,
    TO,
    WAMID,
    envelope,
    problems_of,
    single_problem,
)
from whatsapp.kit.errors import ErrorCode
from whatsapp.messages.payloads import build_mark_as_read, build_reaction


@pytest.mark.parametrize(
    "emoji",
    [
        "\N{THUMBS UP SIGN}",
        "\N{THUMBS UP SIGN}\N{EMOJI MODIFIER FITZPATRICK TYPE-4}",  # skin tone
        "\N{HEAVY BLACK HEART}\ufe0f",  # with presentation selector
        "\N{REGIONAL INDICATOR SYMBOL LETTER F}\N{REGIONAL INDICATOR SYMBOL LETTER R}",  # flag
        "\N{WOMAN}\u200d\N{HEAVY BLACK HEART}\ufe0f\u200d\N{KISS MARK}\u200d\N{MAN}",  # ZWJ
        "\N{WAVING WHITE FLAG}\ufe0f\u200d\N{RAINBOW}",  # rainbow flag
        "\N{ADULT}\N{EMOJI MODIFIER FITZPATRICK TYPE-5}\u200d\N{PERSONAL COMPUTER}",
        "1\ufe0f\u20e3",  # keycap
        "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",  # Scotland
        "\N{FACE WITH TEARS OF JOY}",
        "",  # removes the reaction
    ],
)
def test_build_reaction_takes_one_emoji_or_nothing(emoji: str) -> None:
    reaction = build_reaction(to="+15551234567", message_wamid=WAMID, emoji=emoji)

    assert reaction == envelope("reaction", {"message_id": WAMID, "emoji": emoji})


@pytest.mark.parametrize(
    "emoji",
    [
        "ok",
        "\N{THUMBS UP SIGN}\N{THUMBS UP SIGN}",
        "\N{THUMBS UP SIGN} ",
        "a\N{THUMBS UP SIGN}",
        "1",
        "#",
        "\N{EMOJI MODIFIER FITZPATRICK TYPE-4}",
        "\N{REGIONAL INDICATOR SYMBOL LETTER F}",
        "\N{THUMBS UP SIGN}\u200d",
    ],
)
def test_build_reaction_rejects_anything_but_one_emoji(emoji: str) -> None:
    field, code, message = single_problem(
        lambda: build_reaction(to=TO, message_wamid=WAMID, emoji=emoji)
    )

    assert (field, code) == (("emoji",), INVALID)
    assert "exactly one emoji" in message


def test_build_reaction_needs_a_message_and_a_recipient() -> None:
    assert problems_of(lambda: build_reaction(to="x", message_wamid="", emoji="ok")) == [
        (("to",), ErrorCode.INVALID_RECIPIENT),
        (("messageId",), INVALID),
        (("emoji",), INVALID),
    ]


def test_build_mark_as_read() -> None:
    assert build_mark_as_read(wamid=WAMID) == {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": WAMID,
    }
    assert build_mark_as_read(wamid=WAMID, typing_indicator=True) == {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": WAMID,
        "typing_indicator": {"type": "text"},
    }
    assert problems_of(lambda: build_mark_as_read(wamid="")) == [(("messageId",), INVALID)]
