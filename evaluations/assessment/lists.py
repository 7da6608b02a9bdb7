"""The public lists derived from the ledger and the assessment: 失信黑名单 and 诚信红名单.
Never a student; records under objection, amended, revoked, repaired or past the disclosure period
they were published with stay off."""

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from credit_registry.common.identity import mask_name
from credit_registry.common.years import academic_year_label, academic_year_of
from evaluations.models import (
    AssessmentPolicy,
    AssessmentResult,
    AssessmentYear,
    CreditRecord,
    Grade,
    Polarity,
    RecordStatus,
    Severity,
    SubjectKind,
)
from schools.models import Ownership, School, SchoolKind
from teachers.models import Teacher


@dataclass(frozen=True)
class ListEntry:
    kind: str
    name: str
    school: str
    reason: str
    since: datetime.date
    until: datetime.date | None


def _public_name(school: School | None, teacher: Teacher | None) -> tuple[str, str]:
    if teacher is not None:
        return mask_name(teacher.name), teacher.school.name if teacher.school else ""
    return school.name, school.name


def disclosed_on(today: datetime.date) -> Q:
    """Published records still inside the disclosure period they were published with."""
    return Q(disclosed_until__gte=today)


def black_list_records(today: datetime.date | None = None) -> QuerySet[CreditRecord]:
    """失信黑名单 as a queryset, newest first: severe negative records of schools and teachers
    inside their disclosure period that stand — not under objection, amended away, revoked or
    repaired. Never a student.

    Counting it and cutting a page of ids from it read one index only (evaluations 0006); build
    the rows shown with ``black_list_entries``.
    """
    today = today or timezone.localdate()
    return CreditRecord.objects.filter(
        disclosed_on(today),
        polarity=Polarity.NEGATIVE,
        severity=Severity.SEVERE,
        status=RecordStatus.PUBLISHED,
        student__isnull=True,
    ).order_by("-published_at", "-id")


def disclosure_records(today: datetime.date | None = None) -> QuerySet[CreditRecord]:
    """失信信息公示 as a queryset, newest first: every published negative record of a school or a
    teacher inside the disclosure period it was published with, of every tier (minor, general,
    severe). Off the list: records under objection, amended, revoked or repaired, and students.
    Build the rows shown with ``black_list_entries``."""
    today = today or timezone.localdate()
    return CreditRecord.objects.filter(
        disclosed_on(today),
        polarity=Polarity.NEGATIVE,
        status=RecordStatus.PUBLISHED,
        student__isnull=True,
    ).order_by("-published_at", "-id")


def black_list_entries(records: QuerySet[CreditRecord]) -> list[ListEntry]:
    entries = []
    for record in records.select_related("item", "school", "teacher__school"):
        name, school = _public_name(record.school, record.teacher)
        entries.append(
            ListEntry(
                kind=record.subject_kind,
                name=name,
                school=school,
                reason=record.item.name,
                since=timezone.localdate(record.published_at),
                until=record.disclosure_ends_on(),
            )
        )
    return entries


def black_list(today: datetime.date | None = None) -> list[ListEntry]:
    """The whole black list (reports); the public page shows it a page at a time."""
    return black_list_entries(black_list_records(today))


def red_list_results(year: int) -> QuerySet[AssessmentResult]:
    """诚信红名单 of ``year`` as a queryset: schools and teachers graded A that earned at least
    one commendation (a counting positive record) in the year and have no counting negative
    record. Not everyone without a record; never a student. Build the rows shown with
    ``red_list_entries``."""
    counting = CreditRecord.objects.counting().filter(year=year)
    negatives = counting.filter(polarity=Polarity.NEGATIVE)
    commended = counting.filter(polarity=Polarity.POSITIVE)
    return (
        AssessmentResult.objects.filter(year_id=year, grade=Grade.A, student__isnull=True)
        .filter(
            Q(teacher__in=commended.filter(teacher__isnull=False).values("teacher"))
            | Q(school__in=commended.filter(school__isnull=False).values("school"))
        )
        .exclude(teacher__in=negatives.filter(teacher__isnull=False).values("teacher"))
        .exclude(school__in=negatives.filter(school__isnull=False).values("school"))
        .order_by("school__name", "teacher__name", "id")
    )


def listed_institutions(today: datetime.date | None = None) -> QuerySet[AssessmentResult]:
    """The D-graded private schools and training institutions on the black list today: a D of
    academic year Y lists the institution (with 限期整改) in Y and in the policy's further years
    (``institution_listing_years``). Newest year first."""
    today = today or timezone.localdate()
    current = academic_year_of(today)
    listed_years = [
        year
        for year, reach in AssessmentPolicy.objects.filter(year_id__lte=current)
        .order_by("year_id", "version")
        .values_list("year_id", "institution_listing_years")
        if year + reach >= current
    ]
    return (
        AssessmentResult.objects.filter(
            Q(school__ownership=Ownership.PRIVATE) | Q(school__kind=SchoolKind.TRAINING),
            year_id__in=sorted(set(listed_years)),
            grade=Grade.D,
            school__isnull=False,
        )
        .select_related("school", "policy")
        .order_by("-year_id", "school__name")
    )


def institution_entries(results) -> list[ListEntry]:
    entries = []
    for result in results:
        reach = result.policy.institution_listing_years
        entries.append(
            ListEntry(
                kind=SubjectKind.SCHOOL,
                name=result.school.name,
                school=result.school.name,
                reason=gettext("%(year)s信用等级D（不合格），限期整改")
                % {"year": academic_year_label(result.year_id)},
                since=datetime.date(result.year_id, 9, 1),
                until=datetime.date(result.year_id + reach + 1, 8, 31),
            )
        )
    return entries


def red_list_entries(results: QuerySet[AssessmentResult], year: int) -> list[ListEntry]:
    label = academic_year_label(year)
    return [
        ListEntry(
            kind=SubjectKind.TEACHER if result.teacher_id else SubjectKind.SCHOOL,
            name=_public_name(result.school, result.teacher)[0],
            school=_public_name(result.school, result.teacher)[1],
            reason=gettext("%(year)s信用等级A（%(score)s分）")
            % {"year": label, "score": result.total_score},
            since=datetime.date(year + 1, 9, 1),
            until=None,
        )
        for result in results.select_related("school", "teacher__school")
    ]


def red_list(year: int | None = None) -> list[ListEntry]:
    """The whole red list of the latest closed year (or ``year``), for reports; the public page
    shows it a page at a time."""
    if year is None:
        closed = AssessmentYear.objects.filter(closed_at__isnull=False).order_by("-year").first()
        if closed is None:
            return []
        year = closed.year
    return red_list_entries(red_list_results(year), year)
