import pytest

from whatsapp.kit.errors import ErrorCode, WagraphError
from whatsapp.kit.phone import normalize_wa_id, wa_id_digits


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("15551234567", "15551234567"),
        ("+15551234567", "15551234567"),
        ("+1 555 123 4567", "15551234567"),
        ("+1 (555) 123-4567", "15551234567"),
        ("1.555.123.4567", "15551234567"),
        ("0044 20 7946 0958", "442079460958"),
        ("+49\t30 1234567", "49301234567"),
        ("1234567", "1234567"),  # shortest plausible
        ("123456789012345", "123456789012345"),  # E.164 maximum
    ],
)
def test_normalize_wa_id_strips_formatting(raw: str, expected: str) -> None:
    assert normalize_wa_id(raw) == expected
    assert wa_id_digits(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "required"),
        ("  ", "required"),
        ("123456", "7-15 digits"),
        ("1234567890123456", "7-15 digits"),
        ("00123456", "7-15 digits"),  # 6 digits once the international prefix is gone
        ("+1 555 CALL NOW", "only digits"),
        ("+1555123456x7", "only digits"),
        ("١٥٥٥١٢٣٤٥٦٧", "only digits"),  # Arabic-Indic digits: isdigit() but not for Meta
        (None, "required"),
        (15551234567, "must be a string"),
    ],
)
def test_normalize_wa_id_rejects_non_numbers_as_invalid_recipient(
    raw: object, message: str
) -> None:
    with pytest.raises(WagraphError) as info:
        normalize_wa_id(raw)  # type: ignore[arg-type]

    [problem] = info.value.problems
    assert problem.code is ErrorCode.INVALID_RECIPIENT
    assert problem.field == ("to",)
    assert message in problem.message
    assert wa_id_digits(raw) is None
