"""Reads of evaluation rounds (测评): group aggregates under the anonymity rule, a teacher's
results, progress counts, and the evaluation scores a closed round gives the annual assessment.

The anonymity rule (SPEC §4): nobody but the bureau's database ever holds an individual answer
in view. A rater group's average is used and shown only when the group has at least the year's
``AssessmentPolicy.min_group_answers`` answers; otherwise its weight is shared among the groups
that do count, in proportion to their own weights. The one exception is the self-evaluation: its
only rater is the teacher, so there is nobody to protect, and it counts from one answer.

A group's average on the 1–5 scale becomes a score out of 100 by ×20 (5 = 100, 3 = 60).
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext

from credit_registry.access import assignments_visible_to
from credit_registry.common.identity import normalize_code
from evaluations.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    RATEE_FIELD,
    AccessCode,
    Answer,
    AssessmentPolicy,
    EvaluationRound,
    QuestionItem,
    RaterAssignment,
    RaterGroup,
    Response,
    RoundStatus,
    SubjectKind,
)
from schools.models import School
from teachers.models import Teacher

SCALE_TO_100 = Decimal(20)

CENT = Decimal("0.01")


# Single-rater groups count from one answer: the self-evaluation (the threshold protects raters
# from the person rated, and here they are the same person), the principal's evaluation and the
# class teacher's conduct evaluation (one rater, who rates by name anyway).
THRESHOLD_EXEMPT = frozenset({RaterGroup.SELF, RaterGroup.PRINCIPAL, RaterGroup.CLASS_TEACHER})
# An evaluation score needs at least one counted group besides the teacher's own.
OWN_GROUPS = frozenset({RaterGroup.SELF})


DEFAULT_MIN_ANSWERS = 5


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class GroupTally:
    """What the database says about one group's answers for one teacher."""

    responses: int = 0
    score_sum: int = 0
    score_count: int = 0


@dataclass(frozen=True)
class GroupResult:
    group: str
    answers: int
    weight: Decimal
    counted: bool
    needed: int  # answers the group needs before it is shown and counted
    average: Decimal | None = None  # on the 1–5 scale; None when it may not be shown
    score: Decimal | None = None  # out of 100
    share: Decimal = Decimal(0)  # the weight actually applied, after redistribution
    reason: str = ""

    @property
    def label(self) -> str:
        return str(RaterGroup(self.group).label)

    @property
    def shown(self) -> bool:
        return self.average is not None


@dataclass
class RoundResult:
    """A subject's result in one round (a teacher's, a school's or a student's): every group,
    and the combined score (or none)."""

    evaluation_round: EvaluationRound
    ratee_id: int
    min_answers: int
    groups: list[GroupResult] = field(default_factory=list)
    score: Decimal | None = None

    @property
    def counted_text(self) -> str:
        return "、".join(f"{g.label}{g.score:.2f}" for g in self.groups if g.counted)

    @property
    def note(self) -> str:
        """One line for the assessment's explanation: which groups counted, with what share,
        and which did not."""
        if self.score is None:
            besides = (
                "除自评外" if self.evaluation_round.subject_kind == SubjectKind.TEACHER else ""
            )
            return (
                f"{self.evaluation_round.name}：{besides}没有达到份数的评价组，不计测评分，"
                "综合分即记录分"
            )
        parts = [
            "、".join(f"{g.label}{g.score:.2f}×{g.share:.1%}" for g in self.groups if g.counted)
        ]
        missing = [g for g in self.groups if not g.counted and g.weight > 0]
        short = [g.label for g in missing if g.needed > 1]
        unanswered = [g.label for g in missing if g.needed <= 1]
        if short:
            parts.append(f"{'、'.join(short)}不足{self.min_answers}份答卷")
        if unanswered:
            parts.append(f"{'、'.join(unanswered)}未作答")
        if missing:
            parts[-1] += "，权重由计入的组按比例分担"
        return f"{self.evaluation_round.name}：{'；'.join(parts)}"


def combine_groups(
    *, weights: dict[str, Decimal], tallies: dict[str, GroupTally], min_answers: int
) -> tuple[list[GroupResult], Decimal | None]:
    """Apply the anonymity threshold and share the weight of the groups that fall under it."""
    provisional = []
    for group, weight in weights.items():
        tally = tallies.get(group, GroupTally())
        needed = 1 if group in THRESHOLD_EXEMPT else max(min_answers, 1)
        enough = tally.responses >= needed and tally.score_count > 0
        average = _q(Decimal(tally.score_sum) / tally.score_count) if enough else None
        if not enough:
            reason = gettext("答卷%(answers)s份，不足%(needed)s份，不显示、不计入") % {
                "answers": tally.responses,
                "needed": needed,
            }
        elif weight <= 0:
            reason = gettext("权重为0，不计入")
        else:
            reason = ""
        provisional.append(
            (group, weight, tally.responses, needed, average, enough and weight > 0, reason)
        )
    if not any(p[5] and p[0] not in OWN_GROUPS for p in provisional):
        # Only the teacher's own view would count: no evaluation score, no weight shared.
        provisional = [
            (
                group,
                weight,
                answers,
                needed,
                average,
                False,
                reason or gettext("仅有本人自评，不单独计入"),
            )
            for group, weight, answers, needed, average, counted, reason in provisional
        ]
    counted_weight = sum((p[1] for p in provisional if p[5]), Decimal(0))
    results = []
    total = Decimal(0)
    for group, weight, answers, needed, average, counted, reason in provisional:
        score = _q(average * SCALE_TO_100) if average is not None else None
        share = weight / counted_weight if counted else Decimal(0)
        if counted:
            total += score * share
        results.append(
            GroupResult(
                group=group,
                answers=answers,
                weight=weight,
                counted=counted,
                needed=needed,
                average=average,
                score=score,
                share=share,
                reason=reason,
            )
        )
    return results, (_q(total) if counted_weight > 0 else None)


def _tallies(rounds: dict[int, EvaluationRound], ratee_ids: Sequence[int] | None = None) -> dict:
    """{(round_id, ratee_id): {group: GroupTally}} in one query; the rounds are of one kind of
    subject (teachers, schools or students), whose column names the one rated."""
    kinds = {r.subject_kind for r in rounds.values()}
    if len(kinds) != 1:
        raise ValueError(f"rounds of one kind of subject, not {kinds}")
    ratee = "response__" + RATEE_FIELD[kinds.pop()]
    answers = Answer.objects.filter(response__round_id__in=list(rounds))
    if ratee_ids is not None:
        answers = answers.filter(**{f"{ratee}__in": list(ratee_ids)})
    rows = (
        answers.values("response__round_id", ratee, "response__group")
        .annotate(
            total=Sum("score"),
            scores=Count("id"),
            responses=Count("response_id", distinct=True),
        )
        .order_by()
    )
    tallies: dict = defaultdict(dict)
    for row in rows:
        key = (row["response__round_id"], row[ratee])
        tallies[key][row["response__group"]] = GroupTally(
            responses=row["responses"], score_sum=row["total"], score_count=row["scores"]
        )
    return tallies


def _min_answers_by_year(years: Iterable[int]) -> dict[int, int]:
    """The latest policy version's threshold for each year, in one query."""
    found: dict[int, int] = {}
    for year_id, value in (
        AssessmentPolicy.objects.filter(year_id__in=set(years))
        .order_by("year_id", "version")
        .values_list("year_id", "min_group_answers")
    ):
        found[year_id] = value  # the last version wins
    return found


def round_results(
    evaluation_round: EvaluationRound, ratee_ids: Sequence[int] | None = None
) -> dict[int, RoundResult]:
    """Every rated subject's result in a round (or only ``ratee_ids``), a fixed few queries."""
    found = _results_for_rounds([evaluation_round], ratee_ids)
    return {ratee_id: result for (_, ratee_id), result in found.items()}


def _results_for_rounds(
    rounds: Sequence[EvaluationRound], ratee_ids: Sequence[int] | None
) -> dict[tuple[int, int], RoundResult]:
    by_id = {r.pk: r for r in rounds}
    if not by_id:
        return {}
    thresholds = _min_answers_by_year(r.year_id for r in rounds)
    results = {}
    for (round_id, ratee_id), tallies in _tallies(by_id, ratee_ids).items():
        evaluation_round = by_id[round_id]
        min_answers = thresholds.get(evaluation_round.year_id, DEFAULT_MIN_ANSWERS)
        groups, score = combine_groups(
            weights=evaluation_round.weights(), tallies=tallies, min_answers=min_answers
        )
        results[round_id, ratee_id] = RoundResult(
            evaluation_round=evaluation_round,
            ratee_id=ratee_id,
            min_answers=min_answers,
            groups=groups,
            score=score,
        )
    return results


def teacher_round_results(teacher: Teacher) -> list[RoundResult]:
    """A teacher's results of every closed round, newest first: group aggregates only. An open
    round shows nothing, since watching an average move after each answer would reveal it."""
    rounds = list(
        EvaluationRound.objects.filter(
            status=RoundStatus.CLOSED, subject_kind=SubjectKind.TEACHER
        ).order_by("-year_id")
    )
    found = _results_for_rounds(rounds, [teacher.pk])
    thresholds = _min_answers_by_year(r.year_id for r in rounds)
    results = []
    for evaluation_round in rounds:
        result = found.get((evaluation_round.pk, teacher.pk))
        if result is None:  # rated by nobody: every group under the threshold
            min_answers = thresholds.get(evaluation_round.year_id, DEFAULT_MIN_ANSWERS)
            groups, _ = combine_groups(
                weights=evaluation_round.weights(), tallies={}, min_answers=min_answers
            )
            result = RoundResult(evaluation_round, teacher.pk, min_answers, groups, None)
        results.append(result)
    return results


def evaluation_scores(
    year: int, *, kind: str = SubjectKind.TEACHER, ids: Sequence[int] | None = None
) -> dict[int, tuple[Decimal | None, str]]:
    """For the annual assessment (``scoring``): the evaluation score of every subject of a kind
    (or of ``ids``) rated in the year's closed round for that kind, with the line that explains
    it. A teacher with answers but no counting group besides self has no score, and the line
    says why."""
    rounds = list(
        EvaluationRound.objects.filter(year_id=year, status=RoundStatus.CLOSED, subject_kind=kind)
    )
    return {
        result.ratee_id: (result.score, result.note)
        for result in _results_for_rounds(rounds, ids).values()
    }


# --- combining groups --------------------------------------------------------------------------


# --- progress ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    group: str
    done: int
    total: int

    @property
    def label(self) -> str:
        return str(RaterGroup(self.group).label)


def round_progress(evaluation_round: EvaluationRound, school: School | None = None) -> list:
    """How many tasks are answered and codes used, per group — counts only, never who."""
    assignments = evaluation_round.assignments.all()
    codes = evaluation_round.codes.all()
    if school is not None:
        assignments = assignments.filter(ratee__school=school)
        codes = codes.filter(school=school)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in assignments.values("group").annotate(
        total=Count("id"), done=Count("id", filter=Q(answered_at__isnull=False))
    ):
        counts[row["group"]] = [row["done"], row["total"]]
    for row in codes.values("group").annotate(
        total=Count("id"), done=Count("id", filter=Q(used_at__isnull=False))
    ):
        counts[row["group"]] = [row["done"], row["total"]]
    return [Progress(g.value, *counts[g.value]) for g in RaterGroup if g.value in counts]


def code_batches(evaluation_round: EvaluationRound, codes: QuerySet[AccessCode]) -> list[dict]:
    """Codes of a round by school, class and group, with how many are still unused."""
    return list(
        codes.filter(round=evaluation_round)
        .values("school_id", "school__name", "classroom_id", "group")
        .annotate(
            total=Count("id"),
            unused=Count("id", filter=Q(used_at__isnull=True)),
        )
        .order_by("school__name", "classroom_id", "group")
    )


# --- tasks and codes ---------------------------------------------------------------------------


def open_tasks(user) -> QuerySet[RaterAssignment]:
    """The evaluation tasks a user has in open rounds: self first, then peers, then principal."""
    return (
        assignments_visible_to(user)
        .filter(round__status=RoundStatus.OPEN)
        .select_related("round", "ratee")
        .order_by("round_id", "group", "ratee__name")
    )


def questionnaire_items(evaluation_round: EvaluationRound) -> list[QuestionItem]:
    return list(evaluation_round.questionnaire.items.order_by("order"))


def round_accepts_answers(evaluation_round: EvaluationRound, now=None) -> str:
    """Empty when the round accepts answers now; otherwise the bilingual reason why not."""
    now = now or timezone.now()
    if evaluation_round.status == RoundStatus.CLOSED:
        return gettext("本轮测评已结束")
    if evaluation_round.status != RoundStatus.OPEN:
        return gettext("本轮测评尚未开始")
    if timezone.localdate(now) > evaluation_round.closes_on:
        return gettext("本轮测评已截止")
    return ""


class CodeRefused(ValidationError):
    """A code that cannot be answered with: ``code`` says why (invalid, used, expired, closed)."""


def normalize_access_code(text: str) -> str:
    return normalize_code(text).replace("-", "")[: CODE_LENGTH + 5]


def looks_like_code(text: str) -> bool:
    return len(text) == CODE_LENGTH and all(c in CODE_ALPHABET for c in text)


def check_code(code: AccessCode | None, now=None) -> None:
    """Raise ``CodeRefused`` with a clear message unless the code can be answered with now."""
    now = now or timezone.now()
    if code is None:
        raise CodeRefused(
            gettext("测评码无效，请核对后重新输入"),
            code="invalid",
        )
    if code.used_at is not None:
        raise CodeRefused(
            gettext("该测评码已经使用过，每个测评码只能作答一次"),
            code="used",
        )
    reason = round_accepts_answers(code.round, now)
    if reason:
        raise CodeRefused(reason, code="closed")
    if code.expires_at <= now:
        raise CodeRefused(gettext("该测评码已过期"), code="expired")


def find_code(text: str) -> AccessCode:
    """The code typed or scanned, if it can be answered with now; else ``CodeRefused``."""
    text = normalize_access_code(text)
    code = None
    if looks_like_code(text):
        code = (
            AccessCode.objects.select_related("round__questionnaire", "school", "classroom")
            .filter(code=text)
            .first()
        )
    check_code(code)
    return code


def ratees_for_school(school: School, classroom=None) -> list[Teacher]:
    """Teachers a student, parent or member of the public may rate: the school's current
    teachers, the class's head teacher first. (The registry has no timetable of who teaches
    which class; the respondent picks the teachers they know.)"""
    teachers = list(Teacher.objects.filter(school=school).order_by("name", "id"))
    head = classroom.head_teacher_id if classroom is not None else None
    return sorted(teachers, key=lambda t: t.pk != head)


def ratees_for(evaluation_round: EvaluationRound, school: School, classroom=None) -> list:
    """Whom a code or a public link of ``school`` rates in this round: the school's teachers
    (teacher rounds) or the school itself (school rounds)."""
    if evaluation_round.subject_kind == SubjectKind.SCHOOL:
        return [school]
    return ratees_for_school(school, classroom)


def conduct_rated(evaluation_round: EvaluationRound, term: int, students) -> set[int]:
    """Which of ``students`` the class teacher has already rated in the term."""
    return set(
        Response.objects.filter(
            round=evaluation_round,
            group=RaterGroup.CLASS_TEACHER,
            term=term,
            ratee_student__in=[s.pk for s in students],
        ).values_list("ratee_student_id", flat=True)
    )


# --- the public link of a school ---------------------------------------------------------------

_PUBLIC_SALT = "evaluations.public-link"


def public_link_token(evaluation_round: EvaluationRound, school: School) -> str:
    return salted_hmac(
        _PUBLIC_SALT, f"{evaluation_round.pk}:{school.pk}", algorithm="sha256"
    ).hexdigest()[:20]


def check_public_link(round_id: int, school_id: int, token: str) -> tuple[EvaluationRound, School]:
    """The round and school of a public questionnaire link, or ``CodeRefused``."""
    evaluation_round = (
        EvaluationRound.objects.select_related("questionnaire").filter(pk=round_id).first()
    )
    school = School.objects.filter(pk=school_id, active=True).first()
    if (
        evaluation_round is None
        or school is None
        or not constant_time_compare(token, public_link_token(evaluation_round, school))
    ):
        raise CodeRefused(gettext("链接无效"), code="invalid")
    reason = round_accepts_answers(evaluation_round)
    if reason:
        raise CodeRefused(reason, code="closed")
    return evaluation_round, school


def code_expiry(evaluation_round: EvaluationRound) -> datetime.datetime:
    """Codes expire at the end of the round's last day, local time."""
    day = evaluation_round.closes_on + datetime.timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=timezone.get_current_timezone())
