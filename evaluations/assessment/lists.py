"""The public lists derived from the ledger and the assessment: 失信黑名单 and 诚信红名单.
Never a student; records under objection, amended, revoked, repaired or past the disclosure period
they were published with stay off.

Negative lists mask a teacher's name; positive lists (the red list, exemplars) name adult
teachers and schools in full, as public commendations are published. Every entry cites the
decision it rests on: the deciding office (认定单位) and document number (文号) of its record.
One filter (``ListFilter``, ``filter_list``) serves every list: search by name, school or item,
subject kind, kind of school and academic year — a masked list is never searched by the names
it hides."""

import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from credit_registry.common import cached_pages
from credit_registry.common.identity import mask_name
from credit_registry.common.search import name_contains
from credit_registry.common.years import academic_year_label, academic_year_of
from evaluations.models import (
    AssessmentPolicy,
    AssessmentResult,
    AssessmentYear,
    CatalogItem,
    CreditRecord,
    Grade,
    LedgerEntry,
    Polarity,
    RecordStatus,
    Severity,
    SubjectKind,
)
from schools.models import ActivityPhoto, IntegrityActivity, Ownership, School, SchoolKind
from teachers.models import Teacher


@dataclass(frozen=True)
class ListEntry:
    kind: str
    name: str
    school: str
    reason: str
    since: datetime.date
    until: datetime.date | None
    office: str = ""  # 认定单位 of the decision
    document: str = ""  # its 文号


def public_name(school: School | None, teacher: Teacher | None, *, masked: bool) -> tuple[str, str]:
    """(name, school) as a public list shows a subject: a teacher's name masked on negative
    lists, in full on positive ones (adults commended by name); a school always in full."""
    if teacher is not None:
        name = mask_name(teacher.name) if masked else teacher.name
        return name, teacher.school.name if teacher.school else ""
    return school.name, school.name


# --- one filter for every public list ------------------------------------------------------------


@dataclass(frozen=True)
class ListFilter:
    """What a reader narrowed a public list to; empty values leave the list whole."""

    q: str = ""  # a name, a school or an item
    subject: str = ""  # SubjectKind.SCHOOL or SubjectKind.TEACHER
    school_kind: str = ""  # a SchoolKind
    year: int | None = None  # an academic year

    @property
    def active(self) -> bool:
        return bool(self.q or self.subject or self.school_kind or self.year is not None)


def filter_list(
    entries: QuerySet,
    criteria: ListFilter,
    *,
    masked: bool,
    year_field: str = "year",
    item_field: str | None = "item__name",
) -> QuerySet:
    """A public list (records, or assessment results, with ``school``/``teacher`` columns) as
    ``criteria`` narrow it. On a masked list a search matches schools and items only, never the
    hidden name of a person: what a page masks cannot be found by guessing it."""
    if criteria.subject == SubjectKind.SCHOOL:
        entries = entries.filter(school__isnull=False)
    elif criteria.subject == SubjectKind.TEACHER:
        entries = entries.filter(teacher__isnull=False)
    if criteria.school_kind:
        entries = entries.filter(
            Q(school__kind=criteria.school_kind) | Q(teacher__school__kind=criteria.school_kind)
        )
    if criteria.year is not None:
        entries = entries.filter(**{year_field: criteria.year})
    for word in criteria.q.split():
        match = name_contains("school__name", word) | name_contains("teacher__school__name", word)
        if item_field:
            match |= name_contains(item_field, word)
        if not masked:
            match |= name_contains("teacher__name", word)
        entries = entries.filter(match)
    return entries


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
    """The rows shown of a negative list: names of teachers masked."""
    entries = []
    for record in records.select_related("item", "school", "teacher__school"):
        name, school = public_name(record.school, record.teacher, masked=True)
        entries.append(
            ListEntry(
                kind=record.subject_kind,
                name=name,
                school=school,
                reason=record.item.name,
                since=timezone.localdate(record.published_at),
                until=record.disclosure_ends_on(),
                office=record.deciding_office,
                document=record.document_number,
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
    commended = commendations(year)
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


def commendations(year: int) -> QuerySet[CreditRecord]:
    """The counting commendations (positive records) of schools and teachers in ``year``."""
    return CreditRecord.objects.counting().filter(
        year=year, polarity=Polarity.POSITIVE, student__isnull=True
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


def institution_entries(results, *, office: str = "") -> list[ListEntry]:
    """Rows of the D-graded institutions; the bureau (``office``) decided the grade."""
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
                office=office,
            )
        )
    return entries


def red_list_entries(results: QuerySet[AssessmentResult], year: int) -> list[ListEntry]:
    """The rows shown of the red list, names in full, each citing its latest commendation of
    the year (item, deciding office, document number); two queries whatever the page."""
    label = academic_year_label(year)
    results = list(results.select_related("school", "teacher__school"))
    latest: dict[tuple[str, int], CreditRecord] = {}
    cited = commendations(year).filter(
        Q(school__in=[r.school_id for r in results if r.school_id])
        | Q(teacher__in=[r.teacher_id for r in results if r.teacher_id])
    )
    for record in cited.select_related("item").order_by("published_at", "id"):
        key = (record.subject_kind, record.school_id or record.teacher_id)
        latest[key] = record
    entries = []
    for result in results:
        kind = SubjectKind.TEACHER if result.teacher_id else SubjectKind.SCHOOL
        name, school = public_name(result.school, result.teacher, masked=False)
        record = latest.get((kind, result.teacher_id or result.school_id))
        reason = gettext("%(year)s信用等级A（%(score)s分）") % {
            "year": label,
            "score": result.total_score,
        }
        if record is not None:
            reason += f"；{record.item.name}"
        entries.append(
            ListEntry(
                kind=kind,
                name=name,
                school=school,
                reason=reason,
                since=datetime.date(year + 1, 9, 1),
                until=None,
                office=record.deciding_office if record else "",
                document=record.document_number if record else "",
            )
        )
    return entries


def red_list(year: int | None = None) -> list[ListEntry]:
    """The whole red list of the latest closed year (or ``year``), for reports; the public page
    shows it a page at a time."""
    if year is None:
        closed = AssessmentYear.objects.filter(closed_at__isnull=False).order_by("-year").first()
        if closed is None:
            return []
        year = closed.year
    return red_list_entries(red_list_results(year), year)


# --- what the lists are computed from -------------------------------------------------------


def lists_version(today: datetime.date | None = None) -> str:
    """A value that changes whenever a public list may: the day (disclosure periods end), every
    decision on a published record (the ledger), a year closed or reopened, any change of a
    school, a teacher, a catalog item or a policy (their history tables), a new activity or
    photo. One short query of indexed maxima; cached list pages are keyed by it, and checked
    against the counter ``generations.PUBLIC_LISTS`` for what keeps no history (results
    written, an activity excluded)."""
    today = today or timezone.localdate()
    sources = [
        (LedgerEntry, "id"),
        (School.history.model, "history_id"),
        (Teacher.history.model, "history_id"),
        (CatalogItem.history.model, "history_id"),
        (AssessmentPolicy.history.model, "history_id"),
        (IntegrityActivity, "id"),
        (ActivityPhoto, "id"),
    ]
    years = connection.ops.quote_name(AssessmentYear._meta.db_table)
    figures = cached_pages.maxima(
        [(model._meta.db_table, column) for model, column in sources],
        [
            f"(SELECT max(closed_at) FROM {years})",
            f"(SELECT count(*) FROM {years} WHERE closed_at IS NOT NULL)",
        ],
    )
    return ":".join(map(str, [today, *figures]))
