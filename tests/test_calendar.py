"""The official calendar the bureau keeps: seeded for the years a maintained library knows,
entered from the State Council's notice for later ones; a deadline that crosses an unconfirmed
year is shown as provisional and recounted once the year is confirmed."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from credit_registry import calendar
from credit_registry.common.workdays import day_line, parse_notice
from credit_registry.models import HolidayYear
from evaluations.disputes import services as dispute_services
from tests import factories

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOTICE_2027 = """
2027-01-01 休 元旦
2027-02-06 班 春节调休
"""


def _at(day):
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(10), SHANGHAI), tick=False
    )


def test_the_library_years_are_seeded_and_confirmed(db):
    assert HolidayYear.objects.get(year=2025).confirmed
    assert not HolidayYear.objects.filter(year=2027).exists()


def test_a_deadline_into_an_unconfirmed_year_is_provisional_until_the_year_is_entered(
    bureau, teacher
):
    with _at(datetime.date(2026, 12, 15)):
        record = factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    with _at(datetime.date(2026, 12, 22)):
        objection = dispute_services.file_objection(record=record, by=teacher.user, reason="有误")
    # Tue 22 Dec 2026 + 10 working days, 2027 counted Monday to Friday (1 January too):
    # 23, 24, 25, 28, 29, 30, 31 Dec, 1, 4, 5 Jan → 5 January 2027, provisional.
    assert (objection.due_on, objection.due_provisional) == (datetime.date(2027, 1, 5), True)

    with _at(datetime.date(2026, 12, 23)):
        recounted = dispute_services.confirm_holiday_year(
            year=2027, text=NOTICE_2027, notice="国办发明电〔2026〕7号", by=bureau
        )
    objection.refresh_from_db()
    # 1 January is a holiday: the tenth working day moves to 6 January, and it is final.
    assert recounted == 1
    assert (objection.due_on, objection.due_provisional) == (datetime.date(2027, 1, 6), False)


def test_a_bad_notice_line_is_refused_and_writes_nothing(bureau):
    with pytest.raises(ValidationError, match="第2行"):
        dispute_services.confirm_holiday_year(
            year=2027, text="2027-01-01 休 元旦\n2027年1月 放假", notice="文号", by=bureau
        )
    with pytest.raises(ValidationError, match="不在2027年内"):
        dispute_services.confirm_holiday_year(
            year=2027, text="2028-01-01 休 元旦", notice="文号", by=bureau
        )
    assert not HolidayYear.objects.filter(year=2027).exists()


def test_the_bureau_enters_a_year_in_the_admin_and_is_reminded_from_november(client, bureau):
    with _at(datetime.date(2026, 10, 31)):
        client.force_login(bureau)
        assert "2027年节假日安排尚未确认" not in client.get(reverse("admin:index")).content.decode()
    with _at(datetime.date(2026, 11, 2)):
        client.force_login(bureau)
        assert "2027年节假日安排尚未确认" in client.get(reverse("admin:index")).content.decode()
        response = client.post(
            reverse("admin:credit_registry_holidayyear_add"),
            {"year": 2027, "notice": "国办发明电〔2026〕7号", "days_text": NOTICE_2027},
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        assert "2027年节假日安排尚未确认" not in client.get(reverse("admin:index")).content.decode()
    entered = HolidayYear.objects.get(year=2027)
    assert entered.confirmed and entered.confirmed_by == bureau
    assert [(d.date, d.is_workday) for d in entered.days.all()] == [
        (datetime.date(2027, 1, 1), False),
        (datetime.date(2027, 2, 6), True),
    ]
    assert calendar.add_working_days(datetime.date(2027, 2, 5), 1) == (
        datetime.date(2027, 2, 6),
        False,
    )


def test_a_line_of_the_arrangement_reads_back_in_either_language():
    with translation.override("en"):
        line = day_line(datetime.date(2027, 2, 6), True, "春节调休")
        assert line == "2027-02-06 work 春节调休"
        assert parse_notice(line + "\n2027-01-01 休 元旦") == {
            datetime.date(2027, 2, 6): (True, "春节调休"),
            datetime.date(2027, 1, 1): (False, "元旦"),
        }
    with translation.override("zh-hans"):
        assert day_line(datetime.date(2027, 1, 1), False, "元旦") == "2027-01-01 休 元旦"
        assert parse_notice("2027-02-06 班") == {datetime.date(2027, 2, 6): (True, "")}
