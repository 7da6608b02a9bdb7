"""Academic years: 1 September to 31 August, named by their first calendar year."""

import datetime


def academic_year_of(day: datetime.date) -> int:
    """The academic year (by its first calendar year) that a date falls in."""
    return day.year if day.month >= 9 else day.year - 1


def academic_year_label(year: int) -> str:
    return f"{year}—{year + 1}学年"
