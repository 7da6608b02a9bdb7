"""Academic years: 1 September to 31 August, named by their first calendar year."""

import datetime

from django.utils.translation import gettext


def academic_year_of(day: datetime.date) -> int:
    """The academic year (by its first calendar year) that a date falls in."""
    return day.year if day.month >= 9 else day.year - 1


def academic_year_label(year: int) -> str:
    """How a person reads the year: 2026—2027学年, or "2026–2027 school year" in English."""
    return gettext("%(start)s—%(end)s学年") % {"start": year, "end": year + 1}
