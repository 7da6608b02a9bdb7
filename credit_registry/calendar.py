"""The official calendar the bureau keeps (节假日安排), read for counting working days.

Seeded from the maintained ``chinesecalendar`` package for every year it knows; each later year
is entered by the bureau from the State Council's notice (admin site: 节假日安排) and confirmed.
A deadline counted through an unconfirmed year is provisional and is recounted when the year is
confirmed (``evaluations.disputes.services.confirm_holiday_year``).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from credit_registry.common import workdays
from credit_registry.models import HolidayDay, HolidayYear

# Looking this far ahead covers any deadline the registry counts (10 working days).
HORIZON_DAYS = 60
# From this day of the year on, the bureau is reminded when next year is missing.
REMIND_FROM = (11, 1)


def calendar_for(start: datetime.date, *, days: int = HORIZON_DAYS) -> workdays.Calendar:
    """The calendar from ``start`` to ``days`` later, in two queries."""
    end = start + datetime.timedelta(days=days)
    years = range(start.year, end.year + 1)
    confirmed = HolidayYear.objects.filter(year__in=years, confirmed_at__isnull=False)
    exceptions = HolidayDay.objects.filter(
        date__gte=start, date__lte=end, holiday_year__confirmed_at__isnull=False
    )
    return workdays.Calendar(
        confirmed_years=frozenset(confirmed.values_list("year", flat=True)),
        exceptions=dict(exceptions.values_list("date", "is_workday")),
    )


def add_working_days(start: datetime.date, days: int) -> tuple[datetime.date, bool]:
    """(the date ``days`` working days after ``start``, provisional?)."""
    return workdays.add_working_days(start, days, calendar_for(start))


def next_year_missing(today: datetime.date | None = None) -> int | None:
    """From 1 November: next year, when its arrangement is not confirmed yet; else None."""
    today = today or timezone.localdate()
    if (today.month, today.day) < REMIND_FROM:
        return None
    year = today.year + 1
    if HolidayYear.objects.filter(year=year, confirmed_at__isnull=False).exists():
        return None
    return year


@transaction.atomic
def enter_year(*, year: int, text: str, notice: str, by) -> HolidayYear:
    """Enter (or replace) a year's arrangement from the notice's list of days and confirm it.
    The whole list is checked before anything is written."""
    try:
        days = workdays.parse_notice(text)
    except ValueError as error:
        raise ValidationError(str(error), code="notice") from None
    stray = sorted(day for day in days if day.year != year)
    if stray:
        raise ValidationError(
            gettext("%(day)s不在%(year)s年内") % {"day": f"{stray[0]:%Y-%m-%d}", "year": year},
            code="notice",
        )
    if not notice.strip():
        raise ValidationError(gettext("请填写通知文号"), code="notice")
    holiday_year, _ = HolidayYear.objects.get_or_create(year=year)
    holiday_year.days.all().delete()
    HolidayDay.objects.bulk_create(
        HolidayDay(holiday_year=holiday_year, date=day, is_workday=working, name=name)
        for day, (working, name) in sorted(days.items())
    )
    holiday_year.notice = notice.strip()
    holiday_year.source = "国务院通知"
    holiday_year.confirmed_by = by
    holiday_year.confirmed_at = timezone.now()
    holiday_year.save()
    return holiday_year
