"""The eligibility check (SPEC §5): may this subject be put forward for this purpose in this
year? Yes or no, with the reasons, from the consequence rules of the years that still reach it."""

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext

from credit_registry.common.years import academic_year_label
from evaluations.models import (
    AssessmentPolicy,
    AssessmentResult,
    ConsequenceRule,
    CreditRecord,
    Effect,
    Grade,
    Polarity,
    Purpose,
    Severity,
    SubjectKind,
    Trigger,
    subject_field,
)


@dataclass
class Eligibility:
    subject: object
    purpose: str
    year: int
    eligible: bool = True
    preferred: bool = False
    reasons: list[str] = field(default_factory=list)

    @property
    def purpose_label(self) -> str:
        return Purpose(self.purpose).label

    @property
    def answer(self) -> str:
        """Yes or no; a preference counts only for one who may take part at all."""
        if not self.eligible:
            return gettext("不可以")
        return gettext("可以（同等条件优先）") if self.preferred else gettext("可以")


def _kind_of(subject) -> str:
    return {"school": SubjectKind.SCHOOL, "teacher": SubjectKind.TEACHER}.get(
        subject_field(subject), SubjectKind.STUDENT
    )


def _latest_policies(years: Sequence[int]) -> dict[int, AssessmentPolicy]:
    policies: dict[int, AssessmentPolicy] = {}
    rules = Prefetch("rules", queryset=ConsequenceRule.objects.all())
    for policy in (
        AssessmentPolicy.objects.filter(year_id__in=years)
        .order_by("year_id", "version")
        .prefetch_related(rules)
    ):
        policies[policy.year_id] = policy  # the last version wins
    return policies


def check_eligibility_many(subjects: Sequence, purpose: str, year: int) -> list[Eligibility]:
    """May each subject be put forward for ``purpose`` in ``year``? Yes or no, with reasons.

    Rules come from the policy of the year in which their trigger happened (a grade, or a
    counting veto record), and last that year plus the rule's ``extra_years``.
    """
    answers = check_eligibility_purposes(subjects, [purpose], year)
    return [answers[subject.pk][0] for subject in subjects]


def check_eligibility_purposes(
    subjects: Sequence, purposes: Sequence[str], year: int
) -> dict[int, list[Eligibility]]:
    """``check_eligibility_many`` for several purposes at once: {subject pk: one answer per
    purpose, in the order of ``purposes``}, with the same few queries as for one purpose."""
    if not subjects:
        return {}
    kind = _kind_of(subjects[0])
    column = subject_field(subjects[0])
    ids = [s.pk for s in subjects]
    # Which trigger years can still reach `year`: the longest rule reach of any policy involved.
    window = range(year - 3, year + 1)
    policies = _latest_policies(list(window))
    results = defaultdict(dict)
    for result in AssessmentResult.objects.filter(
        **{f"{column}_id__in": ids}, year_id__in=list(window)
    ).only("id", "year_id", "grade", f"{column}_id"):
        results[getattr(result, f"{column}_id")][result.year_id] = result.grade
    # The counting negative records that can fire a rule: of the window's years, or carrying a
    # sanction (which reaches as far as its period, whatever the year of the record).
    negatives = defaultdict(list)
    for record in (
        CreditRecord.objects.counting()
        .filter(
            Q(year__in=list(window)) | Q(sanction_until__isnull=False),
            **{f"{column}_id__in": ids},
            polarity=Polarity.NEGATIVE,
        )
        .select_related("item")
        .order_by("occurred_on", "id")
    ):
        negatives[getattr(record, f"{column}_id")].append(record)

    answers: dict[int, list[Eligibility]] = {}
    for subject in subjects:
        answers[subject.pk] = [
            _eligibility(subject, purpose, year, kind, policies, results, negatives)
            for purpose in purposes
        ]
    return answers


def _eligibility(
    subject, purpose: str, year: int, kind: str, policies, results, negatives
) -> Eligibility:
    answer = Eligibility(subject=subject, purpose=purpose, year=year)
    required_met: bool | None = None
    for trigger_year, policy in sorted(policies.items()):
        for rule in policy.rules.all():
            if rule.subject_kind != kind or rule.purpose != purpose:
                continue
            if rule.trigger == Trigger.SANCTION:
                # A sanction reaches as far as its own period: the asked year's rule decides.
                if trigger_year != year:
                    continue
                fired, because = _sanction_in_force(negatives[subject.pk], year)
                reach = pgettext("eligibility reach", "处分期内")
            else:
                if not trigger_year <= year <= trigger_year + rule.extra_years:
                    continue
                grade = results[subject.pk].get(trigger_year)
                fired, because = _trigger_fired(rule, grade, negatives[subject.pk], trigger_year)
                reach = academic_year_label(trigger_year)
                if rule.extra_years:
                    reach = gettext("%(first)s至%(last)s") % {
                        "first": reach,
                        "last": academic_year_label(trigger_year + rule.extra_years),
                    }
            if rule.effect == Effect.REQUIRED and trigger_year == year:
                required_met = bool(fired) if required_met is None else required_met and fired
                if not fired:
                    because = because or gettext("%(year)s尚无考核结果") % {
                        "year": academic_year_label(trigger_year)
                    }
                    answer.reasons.append(
                        gettext("%(because)s；%(purpose)s须%(trigger)s")
                        % {
                            "because": because,
                            "purpose": rule.get_purpose_display(),
                            "trigger": rule.get_trigger_display(),
                        }
                    )
                else:
                    answer.reasons.append(
                        gettext("%(because)s，符合%(purpose)s条件")
                        % {"because": because, "purpose": rule.get_purpose_display()}
                    )
            elif fired and rule.effect == Effect.INELIGIBLE:
                answer.eligible = False
                answer.reasons.append(
                    gettext(
                        "%(because)s：%(reach)s不得参加%(purpose)s（%(policy)s第%(rule)s条规则）"
                    )
                    % {
                        "because": because,
                        "reach": reach,
                        "purpose": rule.get_purpose_display(),
                        "policy": policy,
                        "rule": rule.pk,
                    }
                )
            elif fired and rule.effect == Effect.PREFERRED:
                answer.preferred = True
                answer.reasons.append(
                    gettext("%(because)s：%(purpose)s同等条件优先")
                    % {"because": because, "purpose": rule.get_purpose_display()}
                )
    if required_met is False:
        answer.eligible = False
    if not answer.reasons:
        answer.reasons.append(gettext("无影响该事项资格的信用等级或记录"))
    return answer


def _trigger_fired(rule: ConsequenceRule, grade: str | None, negatives, trigger_year: int):
    label = academic_year_label(trigger_year)
    if rule.trigger == Trigger.GRADE_D:
        because = gettext("%(year)s信用等级为D（不合格）") % {"year": label} if grade else ""
        return grade == Grade.D, because
    if rule.trigger == Trigger.GRADE_A:
        if grade is None:
            return False, ""
        return grade == Grade.A, gettext("%(year)s信用等级为%(grade)s") % {
            "year": label,
            "grade": grade,
        }
    in_year = [r for r in negatives if r.year == trigger_year]
    if rule.trigger == Trigger.VETO_RECORD:
        in_year = [r for r in in_year if r.vetoes and r.severity == Severity.SEVERE]
        found = gettext("%(year)s有一票否决记录“%(item)s”（%(date)s）")
    else:
        found = gettext("%(year)s有失信记录“%(item)s”（%(date)s）")
    if in_year:
        first = in_year[0]
        return True, found % {
            "year": label,
            "item": first.item.name,
            "date": f"{first.occurred_on:%Y-%m-%d}",
        }
    return False, ""


def _sanction_in_force(negatives, year: int) -> tuple[bool, str]:
    """Is a teacher's disciplinary sanction in force in ``year``: on today's date for the
    current year, on the year's last day for a past one, on its first day for a later one."""
    first_day, last_day = datetime.date(year, 9, 1), datetime.date(year + 1, 8, 31)
    as_of = max(first_day, min(timezone.localdate(), last_day))
    for record in negatives:
        if record.sanction_until is None:
            continue
        decided = timezone.localdate(record.published_at)
        if decided <= as_of <= record.sanction_until:
            return True, gettext("受“%(item)s”（%(decided)s公布，处分期至%(until)s）") % {
                "item": record.item.name,
                "decided": f"{decided:%Y-%m-%d}",
                "until": f"{record.sanction_until:%Y-%m-%d}",
            }
    return False, ""


def check_eligibility(subject, purpose: str, year: int) -> Eligibility:
    return check_eligibility_many([subject], purpose, year)[0]
