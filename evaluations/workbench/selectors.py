"""What waits for the bureau, and where the year stands: the figures of the admin workbench.

Each queue is the queryset its list page shows under the queue's filter, so the count on the
workbench and the rows behind its link are the same rows (the list filters call these
functions too).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from credit_registry import access
from credit_registry.common.years import academic_year_of
from credit_registry.models import BatchStatus, ReportBatch
from evaluations.disputes.selectors import objections_due_soon, overdue_objections
from evaluations.models import (
    AssessmentPolicy,
    AssessmentResult,
    AssessmentYear,
    ClueStatus,
    ComplaintClue,
    CreditRecord,
    EvaluationRound,
    Objection,
    ObjectionStatus,
    RecordStatus,
    RepairApplication,
    RepairStatus,
)
from schools.models import School
from schools.selectors import schools_without_self_assessment


def unfinished_records(year: int) -> QuerySet[CreditRecord]:
    """A year's records still on their way (draft, submitted, returned, approved)."""
    return CreditRecord.objects.filter(
        year=year,
        status__in=[
            RecordStatus.DRAFT,
            RecordStatus.SUBMITTED,
            RecordStatus.RETURNED,
            RecordStatus.APPROVED,
        ],
    )


def batches_in_progress() -> QuerySet[ReportBatch]:
    return ReportBatch.objects.filter(status__in=[BatchStatus.QUEUED, BatchStatus.RUNNING])


@dataclass(frozen=True)
class Queues:
    """How many rows wait in each queue. ``None`` marks a queue the user does not work."""

    to_review: int | None
    to_publish: int | None
    objections_open: int | None
    objections_due_soon: int | None
    objections_overdue: int | None
    repairs_pending: int | None
    clues_unassigned: int | None
    clues_investigating: int | None
    returned_records: int | None
    batches_running: int | None


def queues(user, today: datetime.date | None = None) -> Queues:
    """The to-do counts for a bureau admin, or an inspector's own part of them."""
    today = today or timezone.localdate()
    if access.is_bureau(user):
        records = CreditRecord.objects.aggregate(
            to_review=Count("pk", filter=Q(status=RecordStatus.SUBMITTED)),
            to_publish=Count("pk", filter=Q(status=RecordStatus.APPROVED)),
        )
        clues = ComplaintClue.objects.aggregate(
            unassigned=Count("pk", filter=Q(status=ClueStatus.RECEIVED)),
            investigating=Count("pk", filter=Q(status=ClueStatus.ASSIGNED)),
        )
        return Queues(
            to_review=records["to_review"],
            to_publish=records["to_publish"],
            objections_open=Objection.objects.filter(status=ObjectionStatus.OPEN).count(),
            objections_due_soon=objections_due_soon(today).count(),
            objections_overdue=overdue_objections(today).count(),
            repairs_pending=RepairApplication.objects.filter(status=RepairStatus.PENDING).count(),
            clues_unassigned=clues["unassigned"],
            clues_investigating=clues["investigating"],
            returned_records=None,
            batches_running=batches_in_progress().count(),
        )
    # An inspector works the clues assigned to them and the records returned to them.
    return Queues(
        to_review=None,
        to_publish=None,
        objections_open=None,
        objections_due_soon=None,
        objections_overdue=None,
        repairs_pending=None,
        clues_unassigned=None,
        clues_investigating=access.clues_visible_to(user)
        .filter(status=ClueStatus.ASSIGNED)
        .count(),
        returned_records=access.records_visible_to(user)
        .filter(status=RecordStatus.RETURNED)
        .count(),
        batches_running=None,
    )


def current_year(today: datetime.date | None = None) -> int:
    """The year the workbench shows: the academic year of today."""
    return academic_year_of(today or timezone.localdate())


@dataclass(frozen=True)
class YearAtAGlance:
    year: int
    records_by_status: list[tuple[str, int]]  # (status label, count), in workflow order
    grades_by_school_kind: list[tuple[str, dict[str, int]]]  # (kind label, {grade: count})
    schools_without_self_assessment: int
    schools_active: int


def year_at_a_glance(year: int) -> YearAtAGlance:
    counts = dict(
        CreditRecord.objects.filter(year=year)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_status = [(label, counts.get(value, 0)) for value, label in RecordStatus.choices]
    grades: dict[str, dict[str, int]] = {}
    rows = (
        AssessmentResult.objects.filter(year_id=year, school__isnull=False)
        .values_list("school__kind", "grade")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for kind, grade, n in rows:
        grades.setdefault(kind, {})[grade] = n
    kinds = School._meta.get_field("kind").choices
    return YearAtAGlance(
        year=year,
        records_by_status=by_status,
        grades_by_school_kind=[(label, grades[value]) for value, label in kinds if value in grades],
        schools_without_self_assessment=schools_without_self_assessment(year).count(),
        schools_active=School.objects.filter(active=True).count(),
    )


@dataclass(frozen=True)
class CycleStep:
    """One task of the annual cycle and whether this year has done it."""

    key: str
    done: bool
    detail: dict


def annual_cycle(year: int) -> list[CycleStep]:
    """The bureau's year in order: open it, import, evaluate, assess, publish, report, close."""
    assessment_year = AssessmentYear.objects.filter(year=year).first()
    policies = AssessmentPolicy.objects.filter(year_id=year).count()
    schools = School.objects.filter(active=True).count()
    rounds = dict(
        EvaluationRound.objects.filter(year_id=year)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    results = AssessmentResult.objects.filter(year_id=year).count()
    published = CreditRecord.objects.filter(year=year, status=RecordStatus.PUBLISHED).count()
    batches = ReportBatch.objects.filter(year=year, status=BatchStatus.DONE).count()
    return [
        CycleStep("open", assessment_year is not None and policies > 0, {"policies": policies}),
        CycleStep("import", schools > 0, {"schools": schools}),
        CycleStep("rounds", bool(rounds), {"rounds": sum(rounds.values())}),
        CycleStep("assess", results > 0, {"results": results}),
        CycleStep("publish", published > 0, {"published": published}),
        CycleStep("report", batches > 0, {"batches": batches}),
        CycleStep(
            "close",
            assessment_year is not None and assessment_year.closed_at is not None,
            {},
        ),
    ]
