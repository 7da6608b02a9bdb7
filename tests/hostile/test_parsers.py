"""Hostile input: whatever arrives, the parsers answer with a clear rejection, never a crash,
and a rejected file writes nothing."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credit_registry.common.identity import id_check_char, normalize_code, validate_id_number
from credit_registry.common.spreadsheets import FlexibleDateWidget, UnreadableFile, read_table
from credit_registry.importing import run_import
from teachers.models import Teacher
from teachers.resources import TeacherResource

text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


@given(text)
def test_id_validation_only_ever_raises_validation_error(value):
    try:
        validate_id_number(value)
    except ValidationError as error:
        assert "身份证号" in error.messages[0]


@given(
    st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2025, 12, 31)),
    st.integers(0, 999),
)
def test_every_correctly_built_id_number_is_accepted(birth, serial):
    first17 = f"350902{birth:%Y%m%d}{serial:03d}"
    validate_id_number(first17 + id_check_char(first17))


@given(text)
def test_normalising_is_idempotent(value):
    assert normalize_code(normalize_code(value)) == normalize_code(value)


@given(st.one_of(text, st.integers(-(10**6), 10**6), st.floats(allow_nan=True)))
def test_date_widget_returns_a_date_or_a_clear_value_error(value):
    try:
        result = FlexibleDateWidget().clean(value)
    except ValueError as error:
        assert "日期" in str(error) or "date" in str(error).lower()
    else:
        assert result is None or isinstance(result, datetime.date)


@given(st.binary(max_size=400), st.sampled_from(["t.xlsx", "t.csv", "t.txt", "t.xls", "t"]))
def test_any_bytes_are_read_or_rejected_clearly(raw, name):
    try:
        read_table(raw, name)
    except UnreadableFile as error:
        assert re.search(r"[\u4e00-\u9fff]", str(error)), str(error)  # a sentence for the clerk


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.lists(text, min_size=4, max_size=4), min_size=1, max_size=4))
def test_garbage_rows_are_rejected_and_nothing_is_written(bureau, rows):
    lines = ["身份证号,姓名,性别,学校标识码"] + [
        ",".join(
            c.replace(",", "").replace("\n", "").replace("\r", "").replace('"', "") for c in row
        )
        for row in rows
    ]
    raw = "\n".join(lines).encode("utf-8")
    report = run_import(
        resource_class=TeacherResource, raw=raw, filename="t.csv", by=bureau, dry_run=False
    )
    if not report.ok:
        assert not report.written
        assert all(str(problem) for problem in report.problems)
    assert Teacher.objects.count() == (report.new if report.written else 0)
