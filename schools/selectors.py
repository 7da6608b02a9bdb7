"""What a school's pages read: the principal's dashboard, the school's standing in the target
assessment or the annual inspection, and the integrity-education activities as they feed the
annual assessment and the reports.

Every function that serves a user starts from ``credit_registry.access``; each runs a fixed
number of queries whatever the size of the school.
"""

from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum

from credit_registry.access import (
    records_visible_to,
    students_visible_to,
    teachers_visible_to,
)
from credit_registry.reports.data import ActivityNews, ActivitySummary
from evaluations.assessment import Contribution, current_policy
from evaluations.evaluation_selectors import open_tasks
from evaluations.models import (
    AssessmentPolicy,
    AssessmentResult,
    Grade,
    Objection,
    ObjectionStatus,
    RecordStatus,
    SubjectKind,
)
from schools.models import (
    ChecklistKind,
    IntegrityActivity,
    OperationChecklist,
    School,
)
from students.models import PledgeSlip, StudentStatus
from teachers.models import Teacher

CENT = Decimal("0.01")
ZERO = Decimal(0)
GRADES = [grade.value for grade in Grade]
WAITING_STATUSES = (
    RecordStatus.DRAFT,
    RecordStatus.SUBMITTED,
    RecordStatus.APPROVED,
    RecordStatus.RETURNED,
)


# --- activities in the assessment and the reports -----------------------------------------------


def counted_activities(year: int) -> QuerySet[IntegrityActivity]:
    return IntegrityActivity.objects.filter(year=year, excluded_reason="")


def activity_lines(year: int, policy: AssessmentPolicy) -> dict[tuple[str, int], list]:
    """One explanation line per school that held activities: n × points, capped by the policy.
    Registered with the annual assessment (``assessment.extra_line_providers``)."""
    lines = {}
    per_school = counted_activities(year).values("school").annotate(n=Count("id"))
    for row in per_school.order_by():
        n = row["n"]
        points = min(n * policy.activity_points, policy.activity_cap)
        label = f"诚信教育活动{n}次×{policy.activity_points:.2f}分"
        if n * policy.activity_points > policy.activity_cap:
            label += f"（上限{policy.activity_cap:.2f}分）"
        lines[(SubjectKind.SCHOOL, row["school"])] = [Contribution(label, points.quantize(CENT))]
    return lines


def activity_summary(year: int, school: School | None) -> ActivitySummary:
    activities = counted_activities(year)
    if school is not None:
        activities = activities.filter(school=school)
    totals = activities.aggregate(n=Count("id"), people=Sum("participant_count"))
    labels = dict(IntegrityActivity._meta.get_field("kind").choices)
    by_kind = [
        (str(labels[row["kind"]]), row["n"])
        for row in activities.values("kind").annotate(n=Count("id")).order_by("-n", "kind")
    ]
    return ActivitySummary(
        total=totals["n"],
        participants=totals["people"] or 0,
        by_kind=by_kind,
        highlights=_news(activities, 8),
    )


def _news(activities: QuerySet[IntegrityActivity], limit: int) -> list[ActivityNews]:
    return [
        ActivityNews(date=a.held_on, school=a.school.name, kind=a.get_kind_display(), title=a.title)
        for a in activities.select_related("school").order_by("-held_on", "-id")[:limit]
    ]


def activity_news(limit: int) -> list[ActivityNews]:
    return _news(IntegrityActivity.objects.filter(excluded_reason=""), limit)


def register() -> None:
    """Connect activities to the annual assessment and the reports (from ``AppConfig.ready``)."""
    from credit_registry.reports import data
    from evaluations import assessment

    if activity_lines not in assessment.extra_line_providers:
        assessment.extra_line_providers.append(activity_lines)
    if activity_summary not in data.activity_summary_providers:
        data.activity_summary_providers.append(activity_summary)
    if activity_news not in data.activity_news_providers:
        data.activity_news_providers.append(activity_news)


# --- target assessment and annual inspection --------------------------------------------------


@dataclass
class Standing:
    """A school's integrity result as it enters its target assessment (public schools) or its
    annual inspection (private schools and training institutions)."""

    school: School
    year: int
    result: AssessmentResult | None
    target_assessed: bool
    points: Decimal | None = None  # the integrity component of the target assessment
    max_points: Decimal | None = None
    suggestion: str = ""  # the annual-inspection suggestion
    reasons: list[str] = field(default_factory=list)

    @property
    def computed(self) -> bool:
        return self.result is not None


def _reasons(result: AssessmentResult) -> list[str]:
    reasons = [f"年度诚信得分{result.total_score}分，等级{result.get_grade_display()}"]
    if result.vetoed:
        reasons.append(result.explanation.get("veto") or "有一票否决记录")
    for line in result.explanation.get("lines", [])[1:]:
        reasons.append(f"{line['label']}（{line['points']}）")
    return reasons


def standing_of(school: School, year: int, result: AssessmentResult | None, policy) -> Standing:
    standing = Standing(
        school=school, year=year, result=result, target_assessed=school.takes_target_assessment
    )
    if result is None:
        standing.reasons = ["本学年考核结果尚未计算 / Not computed yet for this year."]
        return standing
    standing.reasons = _reasons(result)
    if standing.target_assessed:
        # The integrity component: the policy's points in proportion to the score out of the base
        # score; a veto record (grade D by veto) leaves nothing.
        share = min(result.total_score, policy.base_score) / policy.base_score
        points = ZERO if result.vetoed else policy.target_assessment_points * share
        standing.points = points.quantize(CENT, rounding=ROUND_HALF_UP)
        standing.max_points = policy.target_assessment_points
    elif result.grade == Grade.D:
        standing.suggestion = "年检至多评为基本合格，并限期整改；列入失信名单"
    else:
        standing.suggestion = "诚信方面不影响年检结论（可评为合格）"
    return standing


def school_standing(school: School, year: int) -> Standing:
    result = AssessmentResult.objects.filter(year_id=year, school=school).first()
    return standing_of(school, year, result, _policy_or_none(year))


def standings(schools: QuerySet[School], year: int) -> list[Standing]:
    """Every school's standing in two queries (the admin site's overview)."""
    policy = _policy_or_none(year)
    results = {
        r.school_id: r
        for r in AssessmentResult.objects.filter(year_id=year, school__in=schools.values("pk"))
    }
    return [standing_of(s, year, results.get(s.pk), policy) for s in schools]


def _policy_or_none(year: int) -> AssessmentPolicy | None:
    try:
        return current_policy(year)
    except ValidationError:
        return None


# --- the principal's dashboard ---------------------------------------------------------------


def _grade_counts(results: QuerySet[AssessmentResult]) -> dict[str, int]:
    counts = dict.fromkeys(GRADES, 0)
    for row in results.values("grade").annotate(n=Count("id")).order_by():
        counts[row["grade"]] = row["n"]
    return counts


def dashboard(user, school: School, year: int) -> dict:
    """Everything the principal's first page shows, in a fixed number of queries."""
    records = records_visible_to(user)
    waiting = Counter(
        dict(
            records.filter(status__in=WAITING_STATUSES)
            .values_list("status")
            .annotate(n=Count("id"))
            .order_by()
        )
    )
    objections = (
        Objection.objects.filter(status=ObjectionStatus.OPEN, record__in=records.values("pk"))
        .select_related("record__item", "record__teacher", "record__student", "record__school")
        .order_by("filed_at")
    )
    tasks = open_tasks(user).filter(answered_at__isnull=True).count()
    filed = set(
        OperationChecklist.objects.filter(school=school, year=year).values_list("kind", flat=True)
    )
    slips = PledgeSlip.objects.filter(pledge__classroom__school=school, pledge__year=year)
    slip_counts = slips.aggregate(
        total=Count("id"), open=Count("id", filter=Q(acknowledged_at__isnull=True))
    )
    activities = IntegrityActivity.objects.filter(school=school, year=year)
    return {
        "standing": school_standing(school, year),
        "teacher_count": teachers_visible_to(user).count(),
        "student_count": students_visible_to(user).filter(status=StudentStatus.ENROLLED).count(),
        "teacher_grades": _grade_counts(
            AssessmentResult.objects.filter(year_id=year, teacher__school=school)
        ),
        "student_grades": _grade_counts(
            AssessmentResult.objects.filter(year_id=year, student__school=school)
        ),
        "waiting": [(s.value, s.label, waiting.get(s, 0)) for s in WAITING_STATUSES],
        "returned_count": waiting.get(RecordStatus.RETURNED, 0),
        "objections": list(objections[:10]),
        "objection_count": objections.count(),
        "pending_evaluations": tasks,
        "self_assessment_filed": ChecklistKind.SELF_ASSESSMENT in filed,
        "inspection_filed": ChecklistKind.INSPECTION in filed,
        "slips_total": slip_counts["total"],
        "slips_open": slip_counts["open"],
        "activity_count": activities.filter(excluded_reason="").count(),
        "recent_activities": list(activities.order_by("-held_on", "-id")[:5]),
    }


# --- lists of people ---------------------------------------------------------------------------


def _year_grade(model_field: str, year: int) -> Subquery:
    return Subquery(
        AssessmentResult.objects.filter(year_id=year, **{model_field: OuterRef("pk")}).values(
            "grade"
        )[:1]
    )


def teacher_list(user, *, year: int, query: str = "") -> QuerySet[Teacher]:
    teachers = teachers_visible_to(user).annotate(grade=_year_grade("teacher", year))
    if query:
        teachers = teachers.filter(Q(name__contains=query) | Q(subject__contains=query))
    return teachers.order_by("name", "pk")


def student_list(user, *, year: int, query: str = "", classroom: int | None = None):
    students = (
        students_visible_to(user)
        .select_related("classroom")
        .annotate(grade=_year_grade("student", year))
    )
    if query:
        students = students.filter(Q(name__contains=query) | Q(student_number__contains=query))
    if classroom:
        students = students.filter(classroom_id=classroom)
    return students.order_by("classroom__entry_year", "classroom__name", "name", "pk")
