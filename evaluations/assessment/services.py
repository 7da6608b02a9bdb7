"""Assessment years and their versioned policies: opening a year with its first policy, new
policy versions, closing a year for good."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from credit_registry import rules
from evaluations.assessment.scoring import recompute_year
from evaluations.models import (
    AssessmentPolicy,
    AssessmentYear,
    ConsequenceRule,
    Effect,
    EvaluationRound,
    Purpose,
    RoundStatus,
    SubjectKind,
    Trigger,
)
from evaluations.rounds.services import lock_round, require_round_status

# --- years and policies ------------------------------------------------------------------------

DEFAULT_RULES = [
    # teacher D or veto: not eligible for promotion, awards, projects that year and the next
    *[
        (SubjectKind.TEACHER, trigger, purpose, Effect.INELIGIBLE, 1)
        for trigger in (Trigger.GRADE_D, Trigger.VETO_RECORD)
        for purpose in (
            Purpose.TITLE_PROMOTION,
            Purpose.PROMOTION,
            Purpose.AWARDS,
            Purpose.PROJECT,
            Purpose.ANNUAL_REVIEW_EXCELLENT,
        )
    ],
    (SubjectKind.TEACHER, Trigger.GRADE_A, Purpose.AWARDS, Effect.PREFERRED, 0),
    (SubjectKind.TEACHER, Trigger.GRADE_A, Purpose.TITLE_PROMOTION, Effect.PREFERRED, 0),
    (SubjectKind.SCHOOL, Trigger.GRADE_D, Purpose.INSPECTION_QUALIFIED, Effect.INELIGIBLE, 0),
    (SubjectKind.SCHOOL, Trigger.VETO_RECORD, Purpose.INSPECTION_QUALIFIED, Effect.INELIGIBLE, 0),
    (SubjectKind.SCHOOL, Trigger.GRADE_D, Purpose.AWARDS, Effect.INELIGIBLE, 0),
    (SubjectKind.STUDENT, Trigger.GRADE_D, Purpose.AWARDS, Effect.INELIGIBLE, 0),
    (SubjectKind.STUDENT, Trigger.GRADE_A, Purpose.INTEGRITY_STAR, Effect.REQUIRED, 0),
]


@transaction.atomic
def ensure_year(*, year: int, by=None) -> AssessmentYear:
    """Open an assessment year with a first policy (defaults, or a copy of last year's)."""
    assessment_year, created = AssessmentYear.objects.get_or_create(year=year)
    if not assessment_year.policies.exists():
        previous = (
            AssessmentPolicy.objects.filter(year__year__lt=year)
            .order_by("-year", "-version")
            .first()
        )
        values = _policy_values(previous) if previous else {}
        _create_policy(assessment_year, by, values, note="初始版本", rules_from=previous)
    return assessment_year


def _policy_values(policy: AssessmentPolicy) -> dict:
    fields = [
        "base_score",
        "positive_cap",
        "activity_cap",
        "activity_points",
        "evaluation_weight",
        "record_weight",
        "grade_a",
        "grade_b",
        "grade_c",
        "veto_forces_d",
        "min_group_answers",
        "target_assessment_points",
    ]
    return {name: getattr(policy, name) for name in fields}


def _create_policy(assessment_year, by, values, note, rules_from) -> AssessmentPolicy:
    latest = assessment_year.policies.order_by("-version").first()
    policy = AssessmentPolicy(
        year=assessment_year,
        version=(latest.version + 1) if latest else 1,
        note=note,
        created_by=by,
        **values,
    )
    policy.full_clean(exclude=["year"])
    policy.save()
    if rules_from is not None:
        rules = [
            (r.subject_kind, r.trigger, r.purpose, r.effect, r.extra_years)
            for r in rules_from.rules.all()
        ]
    else:
        rules = DEFAULT_RULES
    ConsequenceRule.objects.bulk_create(
        ConsequenceRule(
            policy=policy,
            subject_kind=kind,
            trigger=trigger,
            purpose=purpose,
            effect=effect,
            extra_years=extra,
        )
        for kind, trigger, purpose, effect, extra in rules
    )
    return policy


@transaction.atomic
def create_policy_version(*, year: int, by, note: str, **values) -> AssessmentPolicy:
    """A new version of a year's policy; the old versions stay as they were."""
    rules.is_bureau_staff(by).enforce()
    assessment_year = AssessmentYear.objects.select_for_update().get(year=year)
    if assessment_year.is_closed:
        raise ValidationError(
            "该学年已关闭，考核政策不能再修改 / The year is closed; its policy cannot change.",
            code="year_closed",
        )
    current = assessment_year.policies.order_by("-version").first()
    merged = _policy_values(current) if current else {}
    merged.update(values)
    return _create_policy(assessment_year, by, merged, note=note, rules_from=current)


@transaction.atomic
def close_year(*, year: int, by) -> AssessmentYear:
    """Recompute a last time, then freeze the year's policy and results for good."""
    rules.is_bureau_staff(by).enforce()
    assessment_year = AssessmentYear.objects.select_for_update().get(year=year)
    if assessment_year.is_closed:
        raise ValidationError("该学年已关闭 / The year is already closed.")
    recompute_year(year=year)
    assessment_year.closed_at = timezone.now()
    assessment_year.closed_by = by
    assessment_year.save(update_fields=["closed_at", "closed_by"])
    return assessment_year


@transaction.atomic
def close_round(*, evaluation_round: EvaluationRound, by) -> EvaluationRound:
    """Close a round: no more answers, and its scores go into the year's annual assessment,
    which is recomputed at once."""
    rules.is_bureau_staff(by).enforce()
    evaluation_round = lock_round(evaluation_round)
    require_round_status(evaluation_round, RoundStatus.OPEN, "结束")
    evaluation_round.status = RoundStatus.CLOSED
    evaluation_round.closed_at = timezone.now()
    evaluation_round.closed_by = by
    evaluation_round.save(update_fields=["status", "closed_at", "closed_by"])
    recompute_year(year=evaluation_round.year_id)
    return evaluation_round
