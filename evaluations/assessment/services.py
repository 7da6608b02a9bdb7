"""Assessment years and their versioned policies: opening a year with its first policy, new
policy versions, closing a year for good."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from credit_registry import reference_data, rules
from evaluations.assessment.scoring import recompute_year
from evaluations.models import (
    AssessmentPolicy,
    AssessmentYear,
    ConsequenceRule,
    EvaluationRound,
    RoundStatus,
)
from evaluations.rounds.services import lock_round, require_round_status

# --- years and policies ------------------------------------------------------------------------


def _default_policy() -> tuple[dict, list[tuple]]:
    """The values and consequence rules of a first policy, from the reviewed reference data
    (``fixtures/policy.json``); every later policy starts from a copy of the one before."""
    defaults = reference_data.policy()
    return dict(defaults.defaults), [tuple(rule) for rule in defaults.rules]


@transaction.atomic
def ensure_year(*, year: int, by=None) -> AssessmentYear:
    """Open an assessment year with a first policy (the reference data's defaults, or a copy of
    last year's)."""
    assessment_year, created = AssessmentYear.objects.get_or_create(year=year)
    if not assessment_year.policies.exists():
        previous = (
            AssessmentPolicy.objects.filter(year__year__lt=year)
            .order_by("-year", "-version")
            .first()
        )
        if previous is not None:
            values, policy_rules = _policy_values(previous), _policy_rules(previous)
        else:
            values, policy_rules = _default_policy()
        _create_policy(assessment_year, by, values, note="初始版本", policy_rules=policy_rules)
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


def _policy_rules(policy: AssessmentPolicy) -> list[tuple]:
    return [
        (r.subject_kind, r.trigger, r.purpose, r.effect, r.extra_years) for r in policy.rules.all()
    ]


def _create_policy(assessment_year, by, values, note, policy_rules) -> AssessmentPolicy:
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
    ConsequenceRule.objects.bulk_create(
        ConsequenceRule(
            policy=policy,
            subject_kind=kind,
            trigger=trigger,
            purpose=purpose,
            effect=effect,
            extra_years=extra,
        )
        for kind, trigger, purpose, effect, extra in policy_rules
    )
    return policy


@transaction.atomic
def create_policy_version(*, year: int, by, note: str, **values) -> AssessmentPolicy:
    """A new version of a year's policy; the old versions stay as they were."""
    rules.is_bureau_staff(by).enforce()
    assessment_year = AssessmentYear.objects.select_for_update().get(year=year)
    if assessment_year.is_closed:
        raise ValidationError(
            _("该学年已关闭，考核政策不能再修改"),
            code="year_closed",
        )
    current = assessment_year.policies.order_by("-version").first()
    if current is not None:
        merged, policy_rules = _policy_values(current), _policy_rules(current)
    else:
        merged, policy_rules = _default_policy()
    merged.update(values)
    policy = _create_policy(assessment_year, by, merged, note=note, policy_rules=policy_rules)
    recompute_year(year=year)  # results are always those of the policy in force
    return policy


@transaction.atomic
def close_year(*, year: int, by) -> AssessmentYear:
    """Recompute a last time, then freeze the year's policy and results for good."""
    rules.is_bureau_staff(by).enforce()
    assessment_year = AssessmentYear.objects.select_for_update().get(year=year)
    if assessment_year.is_closed:
        raise ValidationError(_("该学年已关闭"))
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
    require_round_status(evaluation_round, RoundStatus.OPEN, pgettext("round action", "结束"))
    evaluation_round.status = RoundStatus.CLOSED
    evaluation_round.closed_at = timezone.now()
    evaluation_round.closed_by = by
    evaluation_round.save(update_fields=["status", "closed_at", "closed_by"])
    recompute_year(year=evaluation_round.year_id)
    return evaluation_round
