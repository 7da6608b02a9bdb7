"""Identity numbers, codes and masking shared by every app.

Resident ID numbers follow GB 11643-1999: 17 digits and a check character computed with the
ISO 7064 MOD 11-2 scheme. People type and paste them with full-width digits, stray spaces and a
lower-case x, so everything is normalised before it is checked or stored.
"""

import datetime
import operator
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_ZERO_TOTAL = ord("0") * sum(_WEIGHTS)


def normalize_code(value: object) -> str:
    """Full-width characters to ASCII, all whitespace removed, upper case."""
    if value is None:
        return ""
    if type(value) is str and value.isascii():  # the usual case: already in normal form
        return "".join(value.split()).upper()
    text = "".join(unicodedata.normalize("NFKC", str(value)).split()).upper()
    # Upper-casing can undo the normal form (e.g. a macron that composes differently).
    return unicodedata.normalize("NFKC", text)


def id_check_char(first17: str) -> str:
    if len(first17) != len(_WEIGHTS):
        raise ValueError(first17)
    if first17.isascii() and first17.isdigit():  # the bytes of ASCII digits are 48 + digit
        total = sum(map(operator.mul, first17.encode(), _WEIGHTS)) - _ZERO_TOTAL
    else:
        total = sum(map(operator.mul, map(int, first17), _WEIGHTS))
    return _CHECK_CHARS[total % 11]


def validate_id_number(value: str) -> None:
    number = normalize_code(value)
    if (
        len(number) != 18
        or not number[:17].isdigit()
        or not (number[17].isdigit() or number[17] == "X")
    ):
        raise ValidationError(
            _("身份证号应为18位（17位数字加1位校验码）"),
            code="id_format",
        )
    try:
        datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("身份证号中的出生日期无效"),
            code="id_birth_date",
        ) from None
    if id_check_char(number[:17]) != number[17]:
        raise ValidationError(
            _("身份证号校验码错误"),
            code="id_check_digit",
        )


def birth_date_from_id(value: str) -> datetime.date:
    number = normalize_code(value)
    return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def mask_id_number(value: str) -> str:
    """``350902199001011234`` -> ``350***********1234``: region kept, birth date hidden."""
    number = normalize_code(value)
    if len(number) < 8:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


# An ID number inside a longer code: 17 digits and a check character, not part of a longer run.
_EMBEDDED_ID = re.compile(r"(?<!\d)\d{17}[\dX](?![\dX])")


def mask_code(value: str) -> str:
    """Any identifier shown to someone whose duty does not need it in full: a student number
    (学籍号, often "G" + the ID number), a certificate number, a phone number. An ID number inside
    the code is masked as an ID number; any other code keeps its first and last few characters
    (enough to tell two apart on a list, not to rebuild the code)."""
    code = normalize_code(value)
    if not code:
        return ""
    if _EMBEDDED_ID.search(code):
        return _EMBEDDED_ID.sub(lambda match: mask_id_number(match.group()), code)
    if len(code) <= 4:
        return "*" * len(code)
    keep = 2 if len(code) < 12 else 4
    return code[:keep] + "*" * (len(code) - 2 * keep) + code[-keep:]


def mask_name(name: str) -> str:
    """``张小明`` -> ``张*明``; ``王五`` -> ``王*``: enough to recognise, not to identify."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(value: str) -> str:
    number = normalize_code(value)
    if len(number) < 7:
        return "*" * len(number)
    return number[:3] + "****" + number[-4:]
