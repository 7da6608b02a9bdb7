import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from credit_registry.common.identity import (
    mask_id_number,
    mask_name,
    normalize_code,
    validate_id_number,
)
from schools.models import School, validate_school_code

# A published example number of GB 11643 with a correct check digit, and its neighbours.
VALID = "11010519491231002X"


def test_valid_id_number_is_accepted():
    validate_id_number(VALID)


def test_full_width_digits_spaces_and_lower_case_x_are_normalised():
    assert normalize_code(" １１０１０５ 19491231002x ") == VALID
    validate_id_number(" １１０１０５ 19491231002x ")


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("110105194912310021", "id_check_digit"),
        ("11010519491231002", "id_format"),
        ("1101051949123100AX", "id_format"),
        ("110105194913310029", "id_birth_date"),
    ],
)
def test_invalid_id_numbers_are_rejected_with_a_message_in_the_reader_s_language(number, code):
    with pytest.raises(ValidationError) as error:
        validate_id_number(number)
    assert error.value.code == code
    assert "身份证号" in error.value.messages[0]
    with translation.override("en"):
        assert "ID number" in error.value.messages[0]


def test_id_number_is_masked_keeping_only_region_and_last_four():
    assert mask_id_number(VALID) == "110***********002X"
    assert "1949" not in mask_id_number(VALID)


def test_names_are_masked_for_public_lists():
    assert mask_name("张小明") == "张*明"
    assert mask_name("王五") == "王*"
    assert mask_name("欧阳娜娜") == "欧**娜"


@pytest.mark.parametrize("code", ["3509020001", "2135000123"])
def test_ten_digit_school_codes_are_accepted(code):
    validate_school_code(code)


@pytest.mark.parametrize("code", ["350902000", "35090200011", "35O9020001", ""])
def test_other_school_codes_are_rejected(code):
    with pytest.raises(ValidationError) as error:
        validate_school_code(code)
    assert "学校标识码" in error.value.messages[0]


@pytest.mark.django_db
def test_school_full_clean_normalises_and_validates_the_code():
    school = School(
        code="３５０９０２０００１", name="测试学校", kind="primary", ownership="public"
    )
    school.full_clean()
    assert school.code == "3509020001"
    bad = School(code="12345", name="测试学校", kind="primary", ownership="public")
    with pytest.raises(ValidationError) as error:
        bad.full_clean()
    assert "code" in error.value.message_dict
