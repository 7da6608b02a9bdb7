"""A school's standing and its portal's figures: the target assessment (目标考核) of a public
school or the annual-inspection suggestion (年检) of a private one, the principal's dashboard, and
the school's lists with this year's grades. Each runs a fixed number of queries."""

from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from credit_registry.access import (
    records_visible_to,
    students_visible_to,
    teachers_visible_to,
)
from credit_registry.common.identity import normalize_code
from credit_registry.common.search_terms import holds_identifier
from evaluations.assessment.scoring import current_policy, explanation_note, line_label
from evaluations.models import (
    AssessmentPolicy,
    AssessmentResult,
    Grade,
    Objection,
    ObjectionStatus,
    RecordStatus,
)
from evaluations.rounds.selectors import open_tasks
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
    reasons = [
        _("年度诚信得分%(score)s分，等级%(grade)s")
        % {"score": result.total_score, "grade": result.get_grade_display()}
    ]
    if result.vetoed:
        reasons.append(explanation_note(result.explanation, "veto") or _("有一票否决记录"))
    for line in result.explanation.get("lines", [])[1:]:
        reasons.append(
            _("%(label)s（%(points)s）") % {"label": line_label(line), "points": line["points"]}
        )
    return reasons


def standing_of(school: School, year: int, result: AssessmentResult | None, policy) -> Standing:
    standing = Standing(
        school=school, year=year, result=result, target_assessed=school.takes_target_assessment
    )
    if result is None:
        standing.reasons = [_("本学年考核结果尚未计算")]
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
        standing.suggestion = _("年检至多评为基本合格，并限期整改；列入失信名单")
    else:
        standing.suggestion = _("诚信方面不影响年检结论（可评为合格）")
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
    if query and holds_identifier(query):
        # A number is matched whole (学籍号 or 身份证号), never in part: a part of a student
        # number that embeds an ID number would tell its owner's birth date.
        code = normalize_code(query)
        students = students.filter(Q(student_number=code) | Q(id_number=code))
    elif query:
        students = students.filter(name__contains=query)
    if classroom:
        students = students.filter(classroom_id=classroom)
    return students.order_by("classroom__entry_year", "classroom__name", "name", "pk")
