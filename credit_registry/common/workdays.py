"""Working days on China's official calendar (holidays and adjusted working days, 调休) from the
maintained ``chinesecalendar`` package. For a year the package does not know yet, Monday to
Friday is used; :func:`calendar_known` tells whether that happened."""

import datetime

import chinese_calendar


def calendar_known(day: datetime.date) -> bool:
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def is_working_day(day: datetime.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The date ``days`` working days after ``start`` (``start`` itself not counted)."""
    day = start
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day
