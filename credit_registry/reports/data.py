"""What the reports say: read helpers that gather a report's data with a fixed number of queries.

They read through the ledger's own querysets and selectors (``evaluations.assessment`` and ``evaluations.records``) and never
write. Who may ask for which report is decided by the caller through ``credit_registry.access``.
"""

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext

from credit_registry.common.identity import mask_name, mask_phone
from credit_registry.common.years import academic_year_label, academic_year_of
from credit_registry.reports import charts
from evaluations.assessment import lists
from evaluations.assessment.eligibility import Eligibility, check_eligibility_purposes
from evaluations.assessment.scoring import explanation_note, line_label
from evaluations.models import (
    ACTIVITY_ITEM_CODE,
    PUBLISHED_STATUSES,
    AssessmentResult,
    AssessmentYear,
    CatalogItem,
    ClueStatus,
    CreditRecord,
    Grade,
    LedgerEntry,
    Objection,
    Polarity,
    Purpose,
    RecordSource,
    RecordStatus,
    RepairApplication,
    RepairStatus,
    SubjectKind,
)
from evaluations.models import ComplaintClue as Clue
from schools.models import LeadingGroupMember, School, SchoolKind
from schools.selectors import activity_summary
from students.models import Student, StudentStatus
from teachers.models import Teacher

GRADES = [g.value for g in Grade]
GRADE_SERIES = [charts.Series(Grade(g).label, charts.GRADE_COLOURS[g]) for g in GRADES]
TEACHER_PURPOSES = (
    Purpose.TITLE_PROMOTION,
    Purpose.PROMOTION,
    Purpose.AWARDS,
    Purpose.PROJECT,
    Purpose.ANNUAL_REVIEW_EXCELLENT,
)
STUDENT_PURPOSES = (Purpose.AWARDS, Purpose.INTEGRITY_STAR)
# Positive items that are public commendations (SPEC §3), shown as integrity exemplars.
COMMENDATION_CODES = ("T-ETHICS-COMMENDATION", "S-COLLECTIVE-HONOUR")


def year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """An academic year as a half-open range of aware datetimes: 1 Sep – 1 Sep."""
    zone = timezone.get_current_timezone()
    return (
        datetime.datetime(year, 9, 1, tzinfo=zone),
        datetime.datetime(year + 1, 9, 1, tzinfo=zone),
    )


def current_year() -> int:
    return academic_year_of(timezone.localdate())


def person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


# --- integrity-education activities ------------------------------------------------------------


# --- a record and its chain --------------------------------------------------------------------


@dataclass(frozen=True)
class ChainStep:
    at: datetime.datetime
    label: str
    who: str
    detail: str = ""
    link: str = ""


@dataclass
class RecordFile:
    record: CreditRecord
    steps: list[ChainStep]


def _records_with_chain(records) -> list[RecordFile]:
    """Published records with everything that happened to them, in a fixed number of queries."""
    records = (
        records.filter(published_at__isnull=False)
        .select_related("item", "recorded_by", "approved_by", "amends")
        .prefetch_related(
            Prefetch("ledger", queryset=LedgerEntry.objects.select_related("actor")),
            Prefetch(
                "repairs",
                queryset=RepairApplication.objects.filter(
                    status=RepairStatus.PENDING
                ).select_related("applicant"),
            ),
            "amendments",
        )
        .order_by("occurred_on", "id")
    )
    files = []
    for record in records:
        # Facts the rule-book would otherwise look up once per record.
        record.has_objection = any(e.action == "object" for e in record.ledger.all())
        record.repair_pending = bool(record.repairs.all())
        steps = [
            ChainStep(
                record.recorded_at,
                gettext("记录（%(source)s）") % {"source": record.get_source_display()},
                person(record.recorded_by),
                gettext("更正原记录#%(pk)s") % {"pk": record.amends_id} if record.amends_id else "",
            )
        ]
        if record.approved_at:
            steps.append(
                ChainStep(record.approved_at, gettext("审核通过"), person(record.approved_by))
            )
        for entry in record.ledger.all():
            detail = entry.reason
            if entry.action == "amend":
                replaced = ", ".join(f"#{a.pk}" for a in record.amendments.all())
                if replaced:
                    detail = gettext("%(detail)s（更正后记录%(replaced)s）") % {
                        "detail": detail,
                        "replaced": replaced,
                    }
            steps.append(
                ChainStep(
                    entry.at,
                    entry.get_action_display(),
                    person(entry.actor),
                    detail,
                    entry.hash[:16],
                )
            )
        for repair in record.repairs.all():
            steps.append(
                ChainStep(
                    repair.applied_at,
                    gettext("申请信用修复（待审核）"),
                    person(repair.applicant),
                    repair.get_proof_kind_display(),
                )
            )
        steps.sort(key=lambda s: s.at)
        files.append(RecordFile(record=record, steps=steps))
    return files


@dataclass(frozen=True)
class YearResult:
    year: int
    label: str
    result: AssessmentResult
    lines: list[dict]
    components: list[dict]
    veto: str
    grade_note: str


def _explained(lines: list[dict]) -> list[dict]:
    return [{**line, "label": line_label(line)} for line in lines]


def _year_results(results: Iterable[AssessmentResult]) -> list[YearResult]:
    return [
        YearResult(
            year=r.year_id,
            label=academic_year_label(r.year_id),
            result=r,
            lines=_explained(r.explanation.get("lines", [])),
            components=_explained(r.explanation.get("components", [])),
            veto=explanation_note(r.explanation, "veto"),
            grade_note=explanation_note(r.explanation, "grade_note"),
        )
        for r in sorted(results, key=lambda r: r.year_id)
    ]


# --- teacher's ethics-integrity file -----------------------------------------------------------


# Records shown per page of a file on screen; the PDF always holds every record.
FILE_PAGE_SIZE = 50


def teacher_file(
    teacher: Teacher,
    *,
    eligibility: list[Eligibility] | None = None,
    record_page: int | str | None = None,
) -> dict:
    """教师师德诚信档案: identity (masked), postings, degrees and their verification, every year's
    score with its explanation, every published record with its chain, current eligibility.

    With ``record_page`` (the file on screen) the records come a page of ``FILE_PAGE_SIZE`` at a
    time, newest first, and ``record_page`` is the ``Page``; the summary still counts them all.
    Without it (the PDF) every record is there, oldest first.
    """
    teacher = Teacher.objects.select_related("school").get(pk=teacher.pk)
    year = current_year()
    if eligibility is None:
        eligibility = check_eligibility_purposes([teacher], TEACHER_PURPOSES, year)[teacher.pk]
    published = CreditRecord.objects.filter(teacher=teacher, published_at__isnull=False)
    page = None
    if record_page is None:
        records = _records_with_chain(published)
        summary = _record_summary(records)
    else:
        ids = published.order_by("-occurred_on", "-id").values_list("pk", flat=True)
        page = Paginator(ids, FILE_PAGE_SIZE).get_page(record_page)
        records = _records_with_chain(published.filter(pk__in=list(page.object_list)))[::-1]
        summary = _record_counts(published)
    return {
        "teacher": teacher,
        "masked_phone": teacher.masked_phone,
        "postings": list(teacher.postings.select_related("school").order_by("start_date")),
        "degrees": list(teacher.degrees.order_by("graduated_on", "id")),
        "results": _year_results(AssessmentResult.objects.filter(teacher=teacher)),
        "records": records,
        "record_page": page,
        "summary": summary,
        "eligibility": eligibility,
        "eligibility_year": academic_year_label(year),
    }


def teacher_eligibility_many(teachers: Sequence[Teacher]) -> dict[int, list]:
    """Eligibility of many teachers for every purpose, for a batch, in a few queries."""
    return check_eligibility_purposes(list(teachers), TEACHER_PURPOSES, current_year())


def _record_summary(records: Sequence[RecordFile]) -> dict:
    statuses = Counter(f.record.get_status_display() for f in records)
    return {
        "total": len(records),
        "negative": sum(1 for f in records if f.record.points < 0),
        "positive": sum(1 for f in records if f.record.points > 0),
        "by_status": sorted(statuses.items()),
    }


def _record_counts(records) -> dict:
    """``_record_summary`` of a queryset, counted by the database in one query."""
    rows = (
        records.order_by()
        .values_list("status")
        .annotate(
            n=Count("id"),
            negative=Count("id", filter=Q(points__lt=0)),
            positive=Count("id", filter=Q(points__gt=0)),
        )
    )
    by_status = {RecordStatus(status).label: (n, neg, pos) for status, n, neg, pos in rows}
    return {
        "total": sum(n for n, _, _ in by_status.values()),
        "negative": sum(neg for _, neg, _ in by_status.values()),
        "positive": sum(pos for _, _, pos in by_status.values()),
        "by_status": sorted((label, n) for label, (n, _, _) in by_status.items()),
    }


def teacher_subject_description(teacher: Teacher) -> str:
    school = teacher.school.name if teacher.school_id else "已离开本区"
    return f"教师 {mask_name(teacher.name)}（{school}）"


# --- student's integrity file ------------------------------------------------------------------


def student_file(student: Student) -> dict:
    """学生诚信档案 for graduation and transfer: the student's identity (ID masked), enrolment
    history, every year's result with its explanation, every published record with its chain."""
    student = Student.objects.select_related("school", "classroom__head_teacher").get(pk=student.pk)
    year = current_year()
    records = _records_with_chain(CreditRecord.objects.filter(student=student))
    return {
        "student": student,
        "guardians": [
            {
                "name": g.name,
                "relation": g.relation,
                "phone": mask_phone(g.phone) if g.phone else "",
            }
            for g in student.guardians.all()
        ],
        "enrolments": list(student.enrolments.select_related("school", "classroom")),
        "results": _year_results(AssessmentResult.objects.filter(student=student)),
        "records": records,
        "summary": _record_summary(records),
        "eligibility": check_eligibility_purposes([student], STUDENT_PURPOSES, year)[student.pk],
        "eligibility_year": academic_year_label(year),
    }


def student_subject_description(student: Student) -> str:
    """No name of a minor on a public page: the school and the last digits of the number."""
    return f"学生（{student.school.name}，学籍号尾号{student.student_number[-4:]}）"


# --- grade distributions -----------------------------------------------------------------------


def _grade_table(rows: Iterable[tuple], keys: Sequence) -> dict:
    """{key: {grade: n}} with every key and grade present, from (key, grade, n) rows."""
    table = {key: dict.fromkeys(GRADES, 0) for key in keys}
    for key, grade, n in rows:
        if key in table:
            table[key][grade] = n
    return table


@dataclass(frozen=True)
class GradeRow:
    label: str
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def shares(self) -> list[str]:
        return [f"{100 * n / self.total:.1f}%" if self.total else "—" for n in self.counts]

    @property
    def cells(self) -> list[tuple[int, str]]:
        return list(zip(self.counts, self.shares, strict=True))


# --- school's annual report --------------------------------------------------------------------


def school_report(school: School, year: int) -> dict:
    """学校年度诚信报告: the school's result and its explanation, its people's grade
    distributions, records of the year, objections and repair, lists, activities, change."""
    previous = year - 1
    results = {
        r.year_id: r
        for r in AssessmentResult.objects.filter(school=school, year_id__in=[year, previous])
    }
    people = {}
    for kind, column in (("teachers", "teacher__school"), ("students", "student__school")):
        rows = (
            AssessmentResult.objects.filter(**{column: school}, year_id__in=[year, previous])
            .values_list("year_id", "grade")
            .annotate(n=Count("id"))
            .order_by()
        )
        table = _grade_table(rows, [year, previous])
        people[kind] = {
            "current": GradeRow(academic_year_label(year), [table[year][g] for g in GRADES]),
            "previous": GradeRow(
                academic_year_label(previous), [table[previous][g] for g in GRADES]
            ),
        }
    in_school = Q(school=school) | Q(teacher__school=school) | Q(student__school=school)
    published = CreditRecord.objects.filter(in_school, status__in=PUBLISHED_STATUSES)
    item_rows = (
        published.filter(year__in=[year, previous])
        .values_list("year", "item__name", "item__subject_kind", "item__polarity")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_item: dict[tuple, dict[int, int]] = defaultdict(lambda: {year: 0, previous: 0})
    for record_year, name, kind, polarity, n in item_rows:
        by_item[(name, kind, polarity)][record_year] = n
    items = sorted(
        (
            {
                "name": name,
                "kind": SubjectKind(kind).label,
                "positive": polarity == Polarity.POSITIVE,
                "current": counts[year],
                "previous": counts[previous],
            }
            for (name, kind, polarity), counts in by_item.items()
        ),
        key=lambda row: (-row["current"], row["name"]),
    )
    school_records = _records_with_chain(CreditRecord.objects.filter(school=school, year=year))
    start, end = year_bounds(year)
    objections = Objection.objects.filter(
        Q(record__school=school) | Q(record__teacher__school=school),
        filed_at__gte=start,
        filed_at__lt=end,
    )
    today = timezone.localdate()
    # The school's own rows and its teachers' (by name, as the lists show the school).
    named = Q(school__name=school.name) | Q(teacher__school__name=school.name)
    black = lists.black_list_entries(lists.black_list_records(today).filter(named))
    red = lists.red_list_entries(lists.red_list_results(year).filter(named), year)
    teacher_current = people["teachers"]["current"]
    return {
        "school": school,
        "year": year,
        "year_label": academic_year_label(year),
        "previous_label": academic_year_label(previous),
        "result": results.get(year),
        "previous_result": results.get(previous),
        "result_lines": _year_results([results[year]])[0] if year in results else None,
        "leading_group": list(LeadingGroupMember.objects.filter(school=school)),
        "teacher_grades": people["teachers"],
        "student_grades": people["students"],
        "grades": [Grade(g).label for g in GRADES],
        "teacher_chart": charts.stacked_percent_bars(
            [
                (row.label, row.counts)
                for row in (people["teachers"]["current"], people["teachers"]["previous"])
            ]
            + [
                (
                    f"学生 {people['students']['current'].label}",
                    people["students"]["current"].counts,
                )
            ],
            GRADE_SERIES,
            title="教师与学生信用等级分布",
            label_width=150,
        ),
        "items": items,
        "school_records": school_records,
        "school_summary": _record_summary(school_records),
        "objections": {
            "filed": objections.count(),
            "open": objections.filter(status="open").count(),
        },
        "repairs_approved": RepairApplication.objects.filter(
            Q(record__school=school) | Q(record__teacher__school=school),
            status=RepairStatus.APPROVED,
            decided_at__gte=start,
            decided_at__lt=end,
        ).count(),
        "black_list": black,
        "red_list": red,
        "red_teacher_count": sum(1 for e in red if e.kind == SubjectKind.TEACHER),
        "teacher_a_share": teacher_current.shares[0],
        "activities": activity_summary(year, school),
        "as_of": today,
        "year_closed": _closed(year),
    }


def _closed(year: int) -> bool:
    return AssessmentYear.objects.filter(year=year, closed_at__isnull=False).exists()


def school_subject_description(school: School, year: int) -> str:
    return f"{school.name} {academic_year_label(year)}"


# --- district annual report --------------------------------------------------------------------


def _number(value) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


@dataclass
class Figure:
    label: str
    current: int | Decimal | str
    previous: int | Decimal | str | None = None
    unit: str = ""

    @property
    def current_display(self) -> str:
        return _number(self.current)

    @property
    def previous_display(self) -> str:
        return "—" if self.previous is None else _number(self.previous)

    @property
    def change(self) -> str:
        if not isinstance(self.current, int | Decimal) or not isinstance(
            self.previous, int | Decimal
        ):
            return "—"
        delta = self.current - self.previous
        sign = "+" if delta > 0 else ""
        text = f"{sign}{_number(delta)}"
        if self.previous:
            text += f"（{sign}{100 * delta / self.previous:.1f}%）"
        return text


def _count_by_year(queryset, column: str, years: Sequence[int]) -> dict[int, int]:
    counts = dict.fromkeys(years, 0)
    for value, n in (
        queryset.filter(**{f"{column}__in": years})
        .values_list(column)
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[value] = n
    return counts


def _same_day(day: datetime.date, year: int) -> datetime.date:
    """``day``'s month and day in ``year`` (28 February for a 29th in a common year)."""
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


@dataclass(frozen=True)
class ReportPeriod:
    """What the district report compares: a whole academic year with the one before once the
    year is over; before that, the year so far (1 September to ``last_day``) with the same
    months of the previous year — never a few months with a whole year."""

    year: int
    last_day: datetime.date  # the last day of the year counted (31 August when it is over)
    complete: bool

    def last_day_of(self, year: int) -> datetime.date:
        """The last day counted of ``year`` (this year or an earlier one, same months)."""
        return _same_day(self.last_day, self.last_day.year - (self.year - year))

    def bounds(self, year: int) -> tuple[datetime.datetime, datetime.datetime]:
        start, _ = year_bounds(year)
        end = datetime.datetime.combine(
            self.last_day_of(year) + datetime.timedelta(days=1),
            datetime.time(),
            tzinfo=start.tzinfo,
        )
        return start, end

    @property
    def months(self) -> str:
        return f"9月1日至{self.last_day.month}月{self.last_day.day}日"

    @property
    def current_label(self) -> str:
        label = academic_year_label(self.year)
        return label if self.complete else f"{label}（{self.months}）"

    @property
    def previous_label(self) -> str:
        label = academic_year_label(self.year - 1)
        return label if self.complete else f"{label}同期（{self.months}）"

    @property
    def note(self) -> str:
        if self.complete:
            return "“增减”一栏为本学年与上一学年全年之差。"
        return (
            f"本学年尚未结束，“增减”一栏比较相同月份：本学年{self.months}"
            f"与上一学年同期（{self.months}）之差。"
        )


def report_period(year: int, today: datetime.date | None = None) -> ReportPeriod:
    """The period the report on ``year`` compares, as of ``today``."""
    today = today or timezone.localdate()
    year_end = datetime.date(year + 1, 8, 31)
    if today > year_end:
        return ReportPeriod(year=year, last_day=year_end, complete=True)
    return ReportPeriod(year=year, last_day=max(today, datetime.date(year, 9, 1)), complete=False)


def _records_by_year(queryset, period: ReportPeriod, years: Sequence[int]) -> dict[int, int]:
    """Records of each academic year whose fact happened inside the period compared."""
    counts = dict.fromkeys(years, 0)
    for y in years:
        counts[y] = queryset.filter(year=y, occurred_on__lte=period.last_day_of(y)).count()
    return counts


def _count_in_years(
    queryset, column: str, period: ReportPeriod, years: Sequence[int]
) -> dict[int, int]:
    """Rows whose datetime ``column`` falls in the period compared of each academic year."""
    counts = {}
    for y in years:
        start, end = period.bounds(y)
        counts[y] = queryset.filter(**{f"{column}__gte": start, f"{column}__lt": end}).count()
    return counts


def district_report(year: int, *, top: int = 10, today: datetime.date | None = None) -> dict:
    """全区教育系统信用体系建设年度报告 for one academic year. Its year-on-year figures compare
    like with like (``report_period``): whole years once the year is over, otherwise the year so
    far with the same months of the previous year."""
    previous = year - 1
    years = [year, previous]
    period = report_period(year, today)
    published = CreditRecord.objects.filter(status__in=PUBLISHED_STATUSES)
    negatives = _records_by_year(published.filter(polarity=Polarity.NEGATIVE), period, years)
    # Activities are counted from the schools' own log (section 四), never as records too.
    positives = _records_by_year(
        published.filter(polarity=Polarity.POSITIVE).exclude(item__code=ACTIVITY_ITEM_CODE),
        period,
        years,
    )
    severe = _records_by_year(
        published.filter(polarity=Polarity.NEGATIVE, severity="severe"), period, years
    )
    objections = _count_in_years(Objection.objects.all(), "filed_at", period, years)
    repairs = _count_in_years(
        RepairApplication.objects.filter(status=RepairStatus.APPROVED), "decided_at", period, years
    )
    clues = _count_in_years(Clue.objects.all(), "received_at", period, years)
    substantiated = _count_in_years(
        Clue.objects.filter(status=ClueStatus.SUBSTANTIATED), "closed_at", period, years
    )
    graded = _count_by_year(AssessmentResult.objects.all(), "year_id", years)
    teacher_a = _count_by_year(
        AssessmentResult.objects.filter(teacher__isnull=False, grade=Grade.A), "year_id", years
    )
    teacher_d = _count_by_year(
        AssessmentResult.objects.filter(teacher__isnull=False, grade=Grade.D), "year_id", years
    )
    schools = School.objects.filter(active=True).count()
    teachers = Teacher.objects.filter(school__isnull=False).count()
    students = Student.objects.filter(status=StudentStatus.ENROLLED).count()
    figures = [
        Figure("在办学校", schools, None, "所"),
        Figure("在岗教师", teachers, None, "人"),
        Figure("在读学生", students, None, "人"),
        Figure("参加年度信用考核的对象", graded[year], graded[previous], "个"),
        Figure("公布失信记录", negatives[year], negatives[previous], "条"),
        Figure("其中严重失信记录", severe[year], severe[previous], "条"),
        Figure("公布守信（表彰）记录", positives[year], positives[previous], "条"),
        Figure("受理异议", objections[year], objections[previous], "件"),
        Figure("批准信用修复", repairs[year], repairs[previous], "件"),
        Figure("受理信访线索", clues[year], clues[previous], "件"),
        Figure("线索查实并记录", substantiated[year], substantiated[previous], "件"),
        Figure("教师信用等级A", teacher_a[year], teacher_a[previous], "人"),
        Figure("教师信用等级D", teacher_d[year], teacher_d[previous], "人"),
    ]

    kinds = [k.value for k in SchoolKind]
    distributions = {}
    for subject, column in (
        ("schools", "school__kind"),
        ("teachers", "teacher__school__kind"),
        ("students", "student__school__kind"),
    ):
        rows = (
            AssessmentResult.objects.filter(year_id=year, **{f"{column}__isnull": False})
            .values_list(column, "grade")
            .annotate(n=Count("id"))
            .order_by()
        )
        table = _grade_table(rows, kinds)
        grade_rows = [
            GradeRow(SchoolKind(k).label, [table[k][g] for g in GRADES])
            for k in kinds
            if sum(table[k].values())
        ]
        total = GradeRow("合计", [sum(r.counts[i] for r in grade_rows) for i in range(4)])
        distributions[subject] = {"rows": grade_rows, "total": total}

    grade_years = (
        AssessmentResult.objects.filter(year_id__in=years, teacher__isnull=False)
        .values_list("year_id", "grade")
        .annotate(n=Count("id"))
        .order_by()
    )
    teacher_grades = _grade_table(grade_years, years)

    in_period = Q(year=year, occurred_on__lte=period.last_day_of(year)) | Q(
        year=previous, occurred_on__lte=period.last_day_of(previous)
    )
    top_rows = (
        published.filter(in_period, polarity=Polarity.NEGATIVE)
        .values_list("item_id", "item__name", "item__subject_kind", "year")
        .annotate(n=Count("id"))
        .order_by()
    )
    violations: dict[int, dict] = {}
    for item_id, name, kind, record_year, n in top_rows:
        row = violations.setdefault(
            item_id,
            {"name": name, "kind": SubjectKind(kind).label, "current": 0, "previous": 0},
        )
        row["current" if record_year == year else "previous"] = n
    most_frequent = sorted(
        (v for v in violations.values() if v["current"]),
        key=lambda v: (-v["current"], v["name"]),
    )[:top]

    today = today or timezone.localdate()
    black = lists.black_list_records(today)
    red = lists.red_list(year)
    red_schools = [e for e in red if e.kind == SubjectKind.SCHOOL]
    red_teachers_by_school: dict[str, list[str]] = defaultdict(list)
    for entry in red:
        if entry.kind == SubjectKind.TEACHER:
            red_teachers_by_school[entry.school].append(entry.name)
    label = academic_year_label(year)
    previous_label = academic_year_label(previous)
    return {
        "year": year,
        "year_label": label,
        "previous_label": previous_label,
        "period": period,
        "figures": figures,
        "headline": figures[:4],
        "distributions": distributions,
        "grades": [Grade(g).label for g in GRADES],
        "teacher_kind_chart": charts.stacked_percent_bars(
            [(r.label, r.counts) for r in distributions["teachers"]["rows"]],
            GRADE_SERIES,
            title="各类学校教师信用等级分布",
        ),
        "school_kind_chart": charts.stacked_percent_bars(
            [(r.label, r.counts) for r in distributions["schools"]["rows"]],
            GRADE_SERIES,
            title="各类学校信用等级分布",
            unit="所",
        ),
        "teacher_year_chart": charts.column_pairs(
            [
                (Grade(g).label, teacher_grades[year][g], teacher_grades[previous][g])
                for g in GRADES
            ],
            title="教师信用等级与上一学年对比",
            current_label=label,
            previous_label=previous_label,
        ),
        "most_frequent": most_frequent,
        "violations_chart": charts.paired_bars(
            [(f"{v['name']}（{v['kind']}）", v["current"], v["previous"]) for v in most_frequent],
            title="失信行为发生频次",
            current_label=period.current_label,
            previous_label=period.previous_label,
        )
        if most_frequent
        else "",
        "change_chart": charts.paired_bars(
            [(f.label, int(f.current), int(f.previous)) for f in figures[4:11]],
            title="主要工作量与上一学年对比",
            current_label=period.current_label,
            previous_label=period.previous_label,
        ),
        "black_count": black.count(),
        "black_schools": lists.black_list_entries(black.filter(school__isnull=False)),
        "black_teachers": _black_teachers_by_school(black.filter(teacher__isnull=False)),
        "red_schools": red_schools,
        "red_teachers": sorted(red_teachers_by_school.items()),
        "red_teacher_count": sum(len(v) for v in red_teachers_by_school.values()),
        "activities": activity_summary(year, None),
        "as_of": today,
        "year_closed": _closed(year),
    }


@dataclass(frozen=True)
class BlackListSchoolRow:
    school: str
    count: int
    reasons: list[tuple[str, int]]  # (catalog item, entries), most frequent first


def _black_teachers_by_school(records) -> list[BlackListSchoolRow]:
    """The teachers' part of the black list counted per school and reason, in one query: a
    district has thousands of entries, which the public page lists one by one (names masked);
    the annual report says where they are and what for."""
    rows = (
        records.order_by()
        .values_list("teacher__school__name", "item__name")
        .annotate(n=Count("id"))
    )
    by_school: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for school, reason, n in rows:
        by_school[school or "（已离开本区）"].append((reason, n))
    return [
        BlackListSchoolRow(
            school=school,
            count=sum(n for _, n in reasons),
            reasons=sorted(reasons, key=lambda r: (-r[1], r[0])),
        )
        for school, reasons in sorted(by_school.items())
    ]


def district_subject_description(district: str, year: int) -> str:
    return f"{district} {academic_year_label(year)}"


# --- public pages ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Exemplar:
    kind: str
    name: str
    school: str
    honour: str
    since: datetime.date
    office: str = ""  # 认定单位 of the commendation
    document: str = ""  # its 文号


def exemplar_records(today: datetime.date | None = None):
    """诚信典型 as a queryset, newest first: published commendations of teachers and schools
    inside their disclosure period; never a student, never a record under objection, revoked or
    amended. Counted and cut into pages by the database (the public list index, evaluations
    0006); build the rows shown with ``exemplar_entries``."""
    today = today or timezone.localdate()
    commendations = CatalogItem.objects.filter(
        polarity=Polarity.POSITIVE, code__in=COMMENDATION_CODES
    ).values_list("id", flat=True)
    return CreditRecord.objects.filter(
        Q(item_id__in=list(commendations)) | Q(source=RecordSource.COMMENDATION),
        lists.disclosed_on(today),
        polarity=Polarity.POSITIVE,
        status=RecordStatus.PUBLISHED,
        student__isnull=True,
        published_at__gte=timezone.now() - datetime.timedelta(days=3 * 365 + 1),
    ).order_by("-published_at", "-id")


def exemplar_entries(records) -> list[Exemplar]:
    """The rows shown of ``exemplar_records``: commended teachers and schools by name, with the
    decision that commended them."""
    entries = []
    for record in records.select_related("item", "school", "teacher__school"):
        name, school = lists.public_name(record.school, record.teacher, masked=False)
        entries.append(
            Exemplar(
                kind=record.subject_kind,
                name=name,
                school=school,
                honour=record.item.name,
                since=timezone.localdate(record.published_at),
                office=record.deciding_office,
                document=record.document_number,
            )
        )
    return entries


def exemplars(today: datetime.date | None = None) -> list[Exemplar]:
    """Every exemplar of ``today``; the public page shows them a page at a time."""
    return exemplar_entries(exemplar_records(today))
