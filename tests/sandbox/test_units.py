"""Pure pieces: id factory, emoji check, limiters, config validation, signing."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from sandbox import SandboxConfig, sign
from sandbox.ids import IdFactory, wa_id_of
from sandbox.ratelimit import PairLimiter, ThroughputLimiter
from sandbox.validation import is_single_emoji


def test_seeded_factories_repeat_and_unseeded_differ() -> None:
    first, second = IdFactory(7), IdFactory(7)

    assert [first.wamid("15551234567") for _ in range(3)] == [
        second.wamid("15551234567") for _ in range(3)
    ]
    assert first.numeric() == second.numeric()
    assert IdFactory(None).wamid("1555") != IdFactory(None).wamid("1555")


def test_reseed_restarts_the_stream() -> None:
    factory = IdFactory(3)
    before = factory.wamid("15550000000")

    factory.reseed(3)

    assert factory.wamid("15550000000") == before


@pytest.mark.parametrize("value", ["hello", "wamid.", "wamid.!!!", "wamid.AAAA"])
def test_wa_id_of_foreign_ids_is_none(value: str) -> None:
    assert wa_id_of(value) is None


def test_numeric_ids_have_the_requested_length() -> None:
    assert len(IdFactory(1).numeric(15)) == 15


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("\U0001f600", True),
        ("\U0001f44d\U0001f3ff", True),
        ("#\ufe0f\u20e3", True),
        ("\U0001f3f3\ufe0f\u200d\U0001f308", True),
        ("\U0001f1fa\U0001f1f8", True),
        ("a", False),
        ("\U0001f600 ", False),
        ("\u200d\U0001f600", False),
        ("\U0001f1fa\U0001f1f8\U0001f1e7\U0001f1f7", False),
        ("\U0001f600\U0001f601", False),
    ],
)
def test_single_emoji(value: str, expected: bool) -> None:
    assert is_single_emoji(value) is expected


def test_throughput_window_is_half_open() -> None:
    limiter = ThroughputLimiter()
    limiter.record("p", 10.0)

    assert not limiter.admits("p", 10.5, 1)
    assert limiter.admits("p", 11.0, 1)
    assert limiter.peak("p") == 1


def test_pair_bucket_caps_at_burst() -> None:
    limiter = PairLimiter()
    key = ("p", "w")
    limiter.take(key, 0.0, 2, 6.0)

    assert limiter.admits(key, 1000.0, 2, 6.0)
    limiter.take(key, 1000.0, 2, 6.0)
    limiter.take(key, 1000.0, 2, 6.0)
    assert not limiter.admits(key, 1000.0, 2, 6.0)


@pytest.mark.parametrize(
    "overrides",
    [
        {"phone_numbers": {}},
        {"status_delays_s": (0.1, 0.2)},
        {"status_delays_s": (0.3, 0.2, 0.1)},
        {"fault_rate": -0.1},
        {"fault_kind": "slow"},
        {"rate_limit_mps": -1},
        {"pair_limit_interval_s": 0},
    ],
)
def test_impossible_configs_fail_early(overrides: dict[str, object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the message varies by knob
        SandboxConfig(**overrides)  # type: ignore[arg-type]


def test_config_defaults_are_independent() -> None:
    first, second = SandboxConfig(), SandboxConfig()
    first.phone_numbers["1"] = "2"

    assert "1" not in second.phone_numbers


def test_sign_is_hex_hmac_sha256() -> None:
    body = b'{"a":1}'

    expected = hmac.new(b"secret", body, hashlib.sha256).hexdigest()
    assert sign(body, "secret") == f"sha256={expected}"
