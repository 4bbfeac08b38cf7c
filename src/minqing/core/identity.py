"""Chinese identity data: resident ID numbers (GB 11643), mobile phones, social credit codes (GB 32100).

Validation, normalisation for lookup and masking for display live here, once.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def id_check_digit(first17: str) -> str:
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def normalise_id_number(value: str) -> str:
    return value.strip().upper().replace(" ", "")


def validate_id_number(value: str) -> str:
    """Return the normalised ID number, or raise ValidationError with the reason in the user's language."""
    number = normalise_id_number(value)
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise ValidationError(
            _("An ID number has 18 characters: 17 digits and a digit or X."), code="id_format"
        )
    try:
        datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("The birth date inside this ID number does not exist."), code="id_date"
        ) from None
    if id_check_digit(number[:17]) != number[17]:
        raise ValidationError(_("The check digit of this ID number is wrong."), code="id_checksum")
    return number


def birth_date_from_id(number: str) -> datetime.date:
    return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def sex_from_id(number: str) -> str:
    return "M" if int(number[16]) % 2 else "F"


def normalise_phone(value: str) -> str:
    digits = re.sub(r"[\s\-()]", "", value.strip())
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    return digits


def validate_phone(value: str) -> str:
    phone = normalise_phone(value)
    if PHONE_RE.match(phone) or LANDLINE_RE.match(phone):
        return phone
    raise ValidationError(
        _("Enter an 11-digit mobile number (e.g. 13800001234) or a landline with area code."), code="phone"
    )


def looks_like_phone(query: str) -> bool:
    return bool(PHONE_RE.match(normalise_phone(query)))


def looks_like_id_number(query: str) -> bool:
    return bool(re.fullmatch(r"\d{17}[\dXx]", query.strip()))


def mask_phone(phone: str) -> str:
    if not phone:
        return ""
    if len(phone) >= 11:
        return phone[:3] + "****" + phone[-4:]
    return phone[:2] + "****" + phone[-2:]


def mask_id_number(number: str) -> str:
    if not number:
        return ""
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    total = sum(CREDIT_CHARS.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARS[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> str:
    code = value.strip().upper()
    if len(code) != 18 or any(c not in CREDIT_CHARS for c in code):
        raise ValidationError(
            _(
                "A unified social credit code has 18 characters (digits and capital letters, no I, O, S, V, Z)."
            ),
            code="credit_format",
        )
    if credit_code_check_char(code[:17]) != code[17]:
        raise ValidationError(
            _("The check character of this unified social credit code is wrong."), code="credit_checksum"
        )
    return code
