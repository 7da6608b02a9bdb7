"""Working days on China's official calendar: holidays and adjusted working days (调休).

The calendar itself is data the bureau keeps (``credit_registry.calendar`` reads it from the
database, seeded from the maintained ``chinesecalendar`` package and confirmed each year as the
State Council announces it). This module only counts: it is given the exceptions to Monday–Friday
and the years that are confirmed, and it says when a count crossed a year nobody confirmed, so
that a deadline there is shown as provisional (暂按周一至周五计算), never silently guessed.
"""

import datetime
import re
from dataclasses import dataclass, field

import chinese_calendar
from django.utils.translation import gettext, pgettext


@dataclass(frozen=True)
class Calendar:
    confirmed_years: frozenset[int] = frozenset()
    # Only the days that differ from Monday–Friday: True for a working Saturday or Sunday,
    # False for a holiday on a weekday.
    exceptions: dict[datetime.date, bool] = field(default_factory=dict)

    def is_working_day(self, day: datetime.date) -> bool:
        if day in self.exceptions:
            return self.exceptions[day]
        return day.weekday() < 5


def add_working_days(
    start: datetime.date, days: int, calendar: Calendar
) -> tuple[datetime.date, bool]:
    """The date ``days`` working days after ``start`` (``start`` itself not counted), and
    whether it is provisional: the count passed through a year the calendar does not confirm,
    where Monday to Friday was assumed."""
    day = start
    remaining = days
    provisional = False
    while remaining > 0:
        day += datetime.timedelta(days=1)
        provisional = provisional or day.year not in calendar.confirmed_years
        if calendar.is_working_day(day):
            remaining -= 1
    return day, provisional


def library_exceptions(year: int) -> dict[datetime.date, tuple[bool, str]] | None:
    """The year's exceptions to Monday–Friday as ``chinesecalendar`` knows them (date ->
    (working day?, holiday name)), or None for a year the library does not know."""
    first = datetime.date(year, 1, 1)
    try:
        chinese_calendar.is_workday(first)
    except NotImplementedError:
        return None
    found = {}
    day = first
    while day.year == year:
        working = chinese_calendar.is_workday(day)
        if working != (day.weekday() < 5):
            _, name = chinese_calendar.get_holiday_detail(day)
            found[day] = (working, _HOLIDAY_NAMES.get(str(name), str(name or "")))
        day += datetime.timedelta(days=1)
    return found


_HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}

_LINE = r"^\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?\s+(%s)\s*(.*?)\s*$"


def day_keyword(is_workday: bool) -> str:
    """How a line of the arrangement marks its day, in the current language: 休 (a day off) or
    班 (an adjusted working day), as the State Council's notice writes them."""
    return pgettext("holiday line", "班") if is_workday else pgettext("holiday line", "休")


def day_line(day: datetime.date, is_workday: bool, name: str) -> str:
    """One line of the arrangement: ``2027-01-01 休 元旦``."""
    return f"{day:%Y-%m-%d} {day_keyword(is_workday)} {name}".rstrip()


def parse_notice(text: str) -> dict[datetime.date, tuple[bool, str]]:
    """A year's arrangement typed or pasted from the State Council's notice, one day a line:
    ``2027-01-01 休 元旦`` (a holiday) or ``2027-02-07 班 春节调休`` (an adjusted working day).
    Raises ValueError naming the first line it cannot read. The notice's 休 and 班 are read in
    any language, and so are the current language's words for them (``day_keyword``)."""
    workday = {"休": False, "班": True, day_keyword(False): False, day_keyword(True): True}
    keywords = "|".join(map(re.escape, sorted(workday, key=len, reverse=True)))
    pattern = re.compile(_LINE % keywords, re.IGNORECASE)
    workday = {keyword.casefold(): working for keyword, working in workday.items()}
    days = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = pattern.match(line)
        if match is None:
            raise ValueError(
                gettext(
                    "第%(number)s行无法识别：“%(line)s”，应为“2027-01-01 休 元旦”或“2027-02-07 班 春节调休”"
                )
                % {"number": number, "line": line.strip()[:40]}
            )
        year, month, day_of_month, kind, name = match.groups()
        try:
            day = datetime.date(int(year), int(month), int(day_of_month))
        except ValueError:
            raise ValueError(gettext("第%(number)s行日期无效") % {"number": number}) from None
        days[day] = (workday[kind.casefold()], name)
    return days
