import datetime

import pytest
from django.core.exceptions import ValidationError

from minqing.core import crypto
from minqing.core.identity import (
    birth_date_from_id,
    credit_code_check_char,
    id_check_digit,
    mask_id_number,
    mask_phone,
    normalise_phone,
    sex_from_id,
    validate_credit_code,
    validate_id_number,
    validate_phone,
)

# A well-known sample from GB 11643's check-digit examples.
VALID_ID = "11010519491231002X"


def test_valid_id_number_passes_and_is_normalised():
    assert validate_id_number(" 11010519491231002x ") == VALID_ID
    assert birth_date_from_id(VALID_ID) == datetime.date(1949, 12, 31)
    assert sex_from_id(VALID_ID) == "F"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("110105194912310021", "id_checksum"),
        ("1101051949123100", "id_format"),
        ("110105194902300028", "id_date"),
    ],
)
def test_bad_id_numbers_say_why(value, code):
    with pytest.raises(ValidationError) as info:
        validate_id_number(value)
    assert info.value.code == code


def test_check_digit_of_generated_numbers():
    first17 = "22010519500307123"
    assert validate_id_number(first17 + id_check_digit(first17))


@pytest.mark.parametrize("value", ["13912345678", "+86 139-1234-5678", "0431-88886666"])
def test_phones(value):
    assert validate_phone(value)


@pytest.mark.parametrize("value", ["1391234567", "23912345678", "abc"])
def test_bad_phones(value):
    with pytest.raises(ValidationError):
        validate_phone(value)


def test_masks():
    assert mask_phone("13912345678") == "139****5678"
    assert mask_id_number(VALID_ID) == "110***********002X"
    assert normalise_phone("+86 139 1234 5678") == "13912345678"


def test_credit_code_checksum():
    first17 = "91370881MA3C5X8Y0"
    code = first17 + credit_code_check_char(first17)
    assert validate_credit_code(code.lower()) == code
    wrong = first17 + ("0" if code[-1] != "0" else "1")
    with pytest.raises(ValidationError):
        validate_credit_code(wrong)


def test_encryption_round_trip_and_keyed_digest():
    token = crypto.encrypt("13912345678")
    assert "13912345678" not in token
    assert crypto.decrypt(token) == "13912345678"
    assert crypto.encrypt("13912345678") != token  # a fresh nonce each time
    assert crypto.digest("13912345678") == crypto.digest("13912345678")
    assert len(crypto.digest("13912345678")) == 64
