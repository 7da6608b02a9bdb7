"""Writes of evaluation rounds (测评) and of degree verification (学历甄别核查).

Plain functions with keyword-only arguments, one transaction each, checks before the write;
errors are ``ValidationError`` (bad input, wrong state) or ``PermissionDenied`` (wrong role),
with Chinese and English messages. The admin site, the survey pages and the teacher's pages all
call these.

Peer assignment (同事互评): inside each school the teachers are put in a circle in a random but
reproducible order (seeded by round and school); each teacher rates the next ``k`` colleagues of
the circle, ``k = min(round.peers_per_teacher, teachers of the school − 1)``. So everyone rates
exactly ``k`` colleagues and is rated by exactly ``k``, never themself, never outside the school.
"""

import datetime
import random
import secrets
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from credit_registry import rules
from credit_registry.access import (
    Role,
    assignments_visible_to,
    is_bureau,
    role_of,
    school_of,
)
from credit_registry.common.ratelimit import RateLimit
from evaluations.models import (
    CODE_ALPHABET,
    CODE_GROUPS,
    CODE_LENGTH,
    RATEE_FIELD,
    WEIGHT_FIELDS,
    AccessCode,
    Answer,
    AssessmentPolicy,
    AssessmentYear,
    EvaluationRound,
    Questionnaire,
    RaterAssignment,
    RaterGroup,
    Response,
    RoundStatus,
    SubjectKind,
)
from evaluations.rounds import selectors
from evaluations.rounds.selectors import DEFAULT_MIN_ANSWERS
from schools.models import School
from students.models import Classroom, StudentStatus
from teachers.models import Teacher

MAX_CODES_PER_BATCH = 500
MAX_CODES_PER_CALL = 50_000
DEFAULT_PUBLIC_CODES = 50
MAX_RATEES_PER_ANSWER = 20
PUBLIC_SUBMISSIONS_PER_HOUR = 30


def _require_bureau(user) -> None:
    if not is_bureau(user):
        raise PermissionDenied(_("只有局机关工作人员可以执行此操作"))


def lock_round(evaluation_round: EvaluationRound) -> EvaluationRound:
    return (
        EvaluationRound.objects.select_for_update()
        .select_related("questionnaire")
        .get(pk=evaluation_round.pk)
    )


def require_round_status(evaluation_round: EvaluationRound, status: str, doing: str) -> None:
    if evaluation_round.status != status:
        raise ValidationError(
            _("测评轮次当前为“%(status)s”，不能%(doing)s")
            % {"status": evaluation_round.get_status_display(), "doing": doing},
            code="round_state",
        )


# --- rate limits -------------------------------------------------------------------------------


# Public questionnaire links: submissions per school per client address per hour.
PUBLIC_LINK_LIMIT = RateLimit("survey-public", PUBLIC_SUBMISSIONS_PER_HOUR)
# Codes typed that are not valid: guesses per client address per hour.


# --- rounds ------------------------------------------------------------------------------------


def _check_weights(weights: dict[str, Decimal]) -> None:
    if any(w < 0 for w in weights.values()):
        raise ValidationError(_("权重不能为负"), code="weights")
    if sum(weights.values(), Decimal(0)) <= 0:
        raise ValidationError(
            _("至少一个评价组的权重须大于0"),
            code="weights",
        )


def check_new_round(
    *, year: int, weights: dict[str, Decimal], subject_kind: str = SubjectKind.TEACHER
) -> None:
    """What a new round must satisfy (the admin form asks the same): one round a year for
    each kind of subject."""
    assessment_year = AssessmentYear.objects.filter(year=year).first()
    if assessment_year is None:
        raise ValidationError(_("%(year)s学年尚未开设") % {"year": year})
    if assessment_year.is_closed:
        raise ValidationError(_("该学年已关闭"), code="year_closed")
    if EvaluationRound.objects.filter(year=year, subject_kind=subject_kind).exists():
        raise ValidationError(
            _("该学年已有%(kind)s测评轮次") % {"kind": SubjectKind(subject_kind).label},
            code="round_exists",
        )
    _check_weights(weights)


ROUND_NAMES = {
    SubjectKind.TEACHER: "教师师德测评",
    SubjectKind.SCHOOL: "学校诚信办学测评",
    SubjectKind.STUDENT: "学生德育品行评价",
}
# Groups that do not rate a kind of subject weigh 0 in its rounds.
DEFAULT_WEIGHTS = {
    SubjectKind.TEACHER: {"weight_class_teacher": Decimal(0)},
    SubjectKind.SCHOOL: {
        **{WEIGHT_FIELDS[g]: Decimal(0) for g in WEIGHT_FIELDS},
        "weight_parent": Decimal("0.50"),
        "weight_public": Decimal("0.50"),
    },
    SubjectKind.STUDENT: {
        **{WEIGHT_FIELDS[g]: Decimal(0) for g in WEIGHT_FIELDS},
        "weight_class_teacher": Decimal(1),
    },
}


def min_answers_of(year: int) -> int:
    """The answers a rater group needs to count in ``year`` (the latest policy version's)."""
    policy = AssessmentPolicy.objects.filter(year_id=year).order_by("-version").first()
    return max(policy.min_group_answers if policy else DEFAULT_MIN_ANSWERS, 1)


def principal_teachers() -> set[int]:
    """Teachers who are their school's principal (named as such on the school)."""
    return set(
        Teacher.objects.filter(school__isnull=False, school__principal_name=F("name"))
        .exclude(name="")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def create_round(
    *,
    by,
    year: int,
    name: str,
    closes_on: datetime.date,
    questionnaire: Questionnaire | None = None,
    peers_per_teacher: int | None = None,
    weights: dict[str, Decimal] | None = None,
    subject_kind: str = SubjectKind.TEACHER,
) -> EvaluationRound:
    """A round of an academic year for one kind of subject, in preparation (not yet open).
    Teachers: each is rated by as many peers as a group needs answers to count (the policy's
    minimum), unless the bureau says otherwise. Schools: parents and the public, half and half
    by default. Students: the class teacher's conduct evaluation each term."""
    _require_bureau(by)
    if peers_per_teacher is None:
        peers_per_teacher = min_answers_of(year)
    questionnaire = questionnaire or (
        Questionnaire.objects.filter(active=True, subject_kind=subject_kind).order_by("pk").first()
    )
    if questionnaire is None:
        raise ValidationError(_("请先建立测评问卷"))
    if questionnaire.subject_kind != subject_kind:
        raise ValidationError(_("问卷不适用于该测评对象"))
    values = dict(DEFAULT_WEIGHTS[subject_kind])
    values.update({WEIGHT_FIELDS[RaterGroup(g)]: Decimal(w) for g, w in (weights or {}).items()})
    evaluation_round = EvaluationRound(
        year_id=year,
        subject_kind=subject_kind,
        name=name.strip() or f"{year}—{year + 1}学年{ROUND_NAMES[subject_kind]}",
        questionnaire=questionnaire,
        closes_on=closes_on,
        peers_per_teacher=peers_per_teacher,
        created_by=by,
        **values,
    )
    check_new_round(year=year, weights=evaluation_round.weights(), subject_kind=subject_kind)
    evaluation_round.full_clean(exclude=["year", "questionnaire", "created_by"])
    evaluation_round.save()
    return evaluation_round


@transaction.atomic
def open_round(*, evaluation_round: EvaluationRound, by) -> EvaluationRound:
    """Open a round for answers: its questionnaire and weights are fixed from now on."""
    _require_bureau(by)
    evaluation_round = lock_round(evaluation_round)
    require_round_status(evaluation_round, RoundStatus.DRAFT, pgettext("round action", "开始"))
    if AssessmentYear.objects.filter(pk=evaluation_round.year_id, closed_at__isnull=False).exists():
        raise ValidationError(_("该学年已关闭"), code="year_closed")
    if not evaluation_round.questionnaire.items.exists():
        raise ValidationError(_("问卷没有测评项目"))
    if evaluation_round.closes_on < timezone.localdate():
        raise ValidationError(_("截止日期已过"))
    _check_weights(evaluation_round.weights())
    evaluation_round.status = RoundStatus.OPEN
    evaluation_round.opened_at = timezone.now()
    evaluation_round.save(update_fields=["status", "opened_at"])
    return evaluation_round


@dataclass(frozen=True)
class AssignmentSummary:
    self_created: int
    peer_created: int
    principal_created: int
    schools_with_peers: int


def peer_pairs(teacher_ids: list[int], per_teacher: int, seed: str) -> list[tuple[int, int]]:
    """(rater, ratee) pairs of one school: a seeded circle, each rating the next ``k``."""
    circle = sorted(teacher_ids)
    random.Random(seed).shuffle(circle)
    k = min(per_teacher, len(circle) - 1)
    n = len(circle)
    return [(circle[i], circle[(i + step) % n]) for i in range(n) for step in range(1, k + 1)]


@transaction.atomic
def assign_raters(*, evaluation_round: EvaluationRound, by) -> AssignmentSummary:
    """Give every teacher of the district a self-evaluation and the school's principal
    evaluation, and assign peers inside each school (see the module docstring). Safe to run
    again: it adds what is missing (teachers who arrived since get self and principal tasks;
    a school's peers are assigned once)."""
    _require_bureau(by)
    evaluation_round = lock_round(evaluation_round)
    require_round_status(
        evaluation_round, RoundStatus.OPEN, pgettext("round action", "分配评价任务")
    )
    if evaluation_round.subject_kind != SubjectKind.TEACHER:
        raise ValidationError(
            _("只有教师测评需要分配评价任务"),
            code="round_kind",
        )
    teachers = list(
        Teacher.objects.filter(school__isnull=False, school__active=True).values_list(
            "pk", "school_id"
        )
    )
    existing = defaultdict(set)
    for group, ratee_id in evaluation_round.assignments.filter(
        group__in=[RaterGroup.SELF, RaterGroup.PRINCIPAL]
    ).values_list("group", "ratee_id"):
        existing[group].add(ratee_id)
    schools_with_peers = set(
        evaluation_round.assignments.filter(group=RaterGroup.PEER).values_list(
            "rater_teacher__school_id", flat=True
        )
    )
    by_school = defaultdict(list)
    new = []
    counts = defaultdict(int)
    principals = principal_teachers()
    for teacher_id, school_id in teachers:
        by_school[school_id].append(teacher_id)
        if teacher_id not in existing[RaterGroup.SELF]:
            new.append(
                RaterAssignment(
                    round=evaluation_round,
                    group=RaterGroup.SELF,
                    ratee_id=teacher_id,
                    rater_teacher_id=teacher_id,
                )
            )
            counts[RaterGroup.SELF] += 1
        # Nobody rates themself: a principal who also teaches is rated by the bureau (a
        # principal's task without a school) instead of by their own account.
        if teacher_id not in existing[RaterGroup.PRINCIPAL]:
            new.append(
                RaterAssignment(
                    round=evaluation_round,
                    group=RaterGroup.PRINCIPAL,
                    ratee_id=teacher_id,
                    rater_school_id=None if teacher_id in principals else school_id,
                )
            )
            counts[RaterGroup.PRINCIPAL] += 1
    for school_id, teacher_ids in by_school.items():
        if school_id in schools_with_peers or len(teacher_ids) < 2:
            continue
        seed = f"{evaluation_round.pk}:{school_id}"
        for rater, ratee in peer_pairs(teacher_ids, evaluation_round.peers_per_teacher, seed):
            new.append(
                RaterAssignment(
                    round=evaluation_round,
                    group=RaterGroup.PEER,
                    ratee_id=ratee,
                    rater_teacher_id=rater,
                )
            )
            counts[RaterGroup.PEER] += 1
        schools_with_peers.add(school_id)
    RaterAssignment.objects.bulk_create(new, batch_size=2000)
    return AssignmentSummary(
        self_created=counts[RaterGroup.SELF],
        peer_created=counts[RaterGroup.PEER],
        principal_created=counts[RaterGroup.PRINCIPAL],
        schools_with_peers=len(schools_with_peers),
    )


# --- one-time codes ----------------------------------------------------------------------------


def _may_generate_for(user, school: School) -> bool:
    role = role_of(user)
    if role == Role.BUREAU_ADMIN:
        return True
    return role == Role.PRINCIPAL and school_of(user) == school


def _new_codes(count: int) -> list[str]:
    """``count`` fresh random codes of unambiguous characters, none already in the database."""
    codes: set[str] = set()
    while len(codes) < count:
        wanted = count - len(codes)
        batch = {
            "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            for _ in range(wanted)
        }
        taken = set(AccessCode.objects.filter(code__in=batch).values_list("code", flat=True))
        codes |= batch - taken
    return list(codes)


def _check_code_target(
    evaluation_round: EvaluationRound, group: str, school: School, classroom: Classroom | None
) -> None:
    if group not in CODE_GROUPS or group not in evaluation_round.weights():
        raise ValidationError(_("该测评不使用这一评价组的测评码"))
    if group != RaterGroup.PUBLIC and classroom is None:
        raise ValidationError(_("学生和家长测评码须按班级生成"))
    if classroom is not None and classroom.school_id != school.pk:
        raise ValidationError(_("班级不属于该学校"))


@transaction.atomic
def generate_codes(
    *,
    evaluation_round: EvaluationRound,
    by,
    group: str,
    school: School,
    classroom: Classroom | None = None,
    count: int,
    expires_at: datetime.datetime | None = None,
) -> list[AccessCode]:
    """One-time codes for one class (students, parents) or one school (the public)."""
    if not _may_generate_for(by, school):
        raise PermissionDenied(_("您无权为该学校生成测评码"))
    evaluation_round = lock_round(evaluation_round)
    require_round_status(evaluation_round, RoundStatus.OPEN, pgettext("round action", "生成测评码"))
    _check_code_target(evaluation_round, group, school, classroom)
    if not 1 <= count <= MAX_CODES_PER_BATCH:
        raise ValidationError(_("每次可生成1至%(most)s个测评码") % {"most": MAX_CODES_PER_BATCH})
    expires_at = _expiry(evaluation_round, expires_at)
    return AccessCode.objects.bulk_create(
        AccessCode(
            round=evaluation_round,
            group=group,
            school=school,
            classroom=classroom,
            code=code,
            expires_at=expires_at,
            created_by=by,
        )
        for code in _new_codes(count)
    )


def _expiry(evaluation_round, expires_at):
    latest = selectors.code_expiry(evaluation_round)
    expires_at = min(expires_at or latest, latest)
    if expires_at <= timezone.now():
        raise ValidationError(_("失效时间须晚于现在"))
    return expires_at


@transaction.atomic
def generate_school_codes(
    *,
    evaluation_round: EvaluationRound,
    by,
    group: str,
    schools: list[School],
    per_class: int | None = None,
) -> int:
    """The bureau's batch: codes for every class of the schools (as many as the class has
    enrolled students, or ``per_class``), or ``per_class`` public codes per school."""
    _require_bureau(by)
    evaluation_round = lock_round(evaluation_round)
    require_round_status(evaluation_round, RoundStatus.OPEN, pgettext("round action", "生成测评码"))
    if group not in CODE_GROUPS or group not in evaluation_round.weights():
        raise ValidationError(_("该测评不使用这一评价组的测评码"))
    if per_class is not None and not 1 <= per_class <= MAX_CODES_PER_BATCH:
        raise ValidationError(_("每班（校）份数须在1至%(max)s之间") % {"max": MAX_CODES_PER_BATCH})
    targets: list[tuple[int, int | None, int]] = []
    if group == RaterGroup.PUBLIC:
        targets = [(s.pk, None, per_class or DEFAULT_PUBLIC_CODES) for s in schools]
    else:
        classrooms = Classroom.objects.filter(school__in=schools).annotate(
            enrolled=Count("students", filter=Q(students__status=StudentStatus.ENROLLED))
        )
        targets = [(c.school_id, c.pk, per_class or c.enrolled) for c in classrooms]
    total = sum(n for _, _, n in targets)
    if total > MAX_CODES_PER_CALL:
        raise ValidationError(_("一次最多生成%(most)s个测评码") % {"most": MAX_CODES_PER_CALL})
    codes = iter(_new_codes(total))
    expires_at = _expiry(evaluation_round, None)
    AccessCode.objects.bulk_create(
        (
            AccessCode(
                round=evaluation_round,
                group=group,
                school_id=school_id,
                classroom_id=classroom_id,
                code=next(codes),
                expires_at=expires_at,
                created_by=by,
            )
            for school_id, classroom_id, n in targets
            for _ in range(n)
        ),
        batch_size=2000,
    )
    return total


# --- answers -----------------------------------------------------------------------------------

Ratings = dict[int, dict[int, int]]  # teacher id -> item id -> score 1..5


def _check_ratings(
    ratings: Ratings, items: list, allowed: set[int], *, most: int = MAX_RATEES_PER_ANSWER
) -> None:
    if not ratings:
        raise ValidationError(_("请至少评价一位教师"), code="empty")
    if len(ratings) > most:
        raise ValidationError(
            _("一次最多评价%(most)s位教师") % {"most": MAX_RATEES_PER_ANSWER},
        )
    item_ids = {item.pk for item in items}
    for teacher_id, scores in ratings.items():
        if teacher_id not in allowed:
            raise ValidationError(_("所选教师不在可评价范围内"), code="ratee")
        if set(scores) != item_ids:
            raise ValidationError(
                _("请完成每一个测评项目"),
                code="incomplete",
            )
        for score in scores.values():
            if type(score) is not int or not 1 <= score <= 5:
                raise ValidationError(_("评分须为1至5分"), code="score")


def _save(
    evaluation_round, group: str, ratings: Ratings, assignment=None, term=None
) -> list[Response]:
    today = timezone.localdate()
    ratee_field = RATEE_FIELD[evaluation_round.subject_kind]
    responses = Response.objects.bulk_create(
        Response(
            round=evaluation_round,
            group=group,
            assignment=assignment,
            submitted_on=today,
            term=term,
            **{ratee_field: ratee_id},
        )
        for ratee_id in ratings
    )
    Answer.objects.bulk_create(
        Answer(response=response, item_id=item_id, score=score)
        for response, scores in zip(responses, ratings.values(), strict=True)
        for item_id, score in scores.items()
    )
    return responses


@transaction.atomic
def submit_answers(
    *,
    ratings: Ratings,
    assignment: RaterAssignment | None = None,
    by=None,
    code: AccessCode | None = None,
) -> list[Response]:
    """Answer a questionnaire, once: through an assignment (self, peer, principal; ``by`` is
    the rater) or through a one-time code (students, parents, the public; no account).

    Two answers with the same code or assignment at the same moment: the row lock makes one
    wait, and it then finds the code used; the conditional update and the response's unique
    assignment are the database's own guarantee behind it."""
    if (assignment is None) == (code is None):
        raise ValueError("exactly one of assignment and code")
    if assignment is not None:
        return _answer_assignment(assignment=assignment, by=by, ratings=ratings)
    _hold_round(code.round_id)
    locked = (
        AccessCode.objects.select_for_update(of=("self",))
        .select_related("round__questionnaire", "school", "classroom")
        .filter(pk=code.pk)
        .first()
    )
    selectors.check_code(locked)
    _check_ratings(
        ratings,
        selectors.questionnaire_items(locked.round),
        {r.pk for r in selectors.ratees_for(locked.round, locked.school, locked.classroom)},
    )
    used = AccessCode.objects.filter(pk=locked.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if used != 1:  # pragma: no cover - the row lock already serialised us
        raise selectors.CodeRefused(_("该测评码已经使用过"))
    return _save(locked.round, locked.group, ratings)


def _hold_round(round_id: int) -> None:
    """An answer holds a shared lock on its round while it is written: closing the round (an
    exclusive lock) waits for answers under way, and an answer that had to wait finds the round
    closed. So no answer lands after the round's scores went into the annual assessment.
    (SQLite writes one transaction at a time anyway.)"""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT 1 FROM {EvaluationRound._meta.db_table} WHERE id = %s FOR SHARE",
                [round_id],
            )


def _answer_assignment(*, assignment, by, ratings: Ratings) -> list[Response]:
    _hold_round(assignment.round_id)
    locked = (
        assignments_visible_to(by)
        .select_for_update(of=("self",))
        .filter(pk=assignment.pk)
        .select_related("round__questionnaire")
        .first()
    )
    if locked is None:
        raise PermissionDenied(_("这不是您的评价任务"))
    if locked.answered_at is not None:
        raise ValidationError(_("该评价任务已经完成"), code="used")
    reason = selectors.round_accepts_answers(locked.round)
    if reason:
        raise ValidationError(reason, code="closed")
    _check_ratings(ratings, selectors.questionnaire_items(locked.round), {locked.ratee_id})
    locked.answered_at = timezone.now()
    locked.save(update_fields=["answered_at"])
    return _save(locked.round, locked.group, ratings, assignment=locked)


@transaction.atomic
def submit_principal_evaluations(
    *, evaluation_round: EvaluationRound, by, ratings: Ratings
) -> list[Response]:
    """A principal's evaluations of several of the school's teachers from one page: each
    teacher's answers go through that teacher's own task (``_answer_assignment``: the rater's
    task, once, while the round takes answers)."""
    tasks = {
        task.ratee_id: task
        for task in assignments_visible_to(by).filter(
            round=evaluation_round, group=RaterGroup.PRINCIPAL, ratee_id__in=list(ratings)
        )
    }
    if set(ratings) - set(tasks):
        raise PermissionDenied(_("所选教师不在可评价范围内"))
    responses = []
    for ratee_id, scores in ratings.items():
        responses += _answer_assignment(
            assignment=tasks[ratee_id], by=by, ratings={ratee_id: scores}
        )
    return responses


def submit_public_answers(
    *, evaluation_round: EvaluationRound, school: School, client_ip: str, ratings: Ratings
) -> list[Response]:
    """Answer through a school's public questionnaire link: no code, so each address may
    submit at most ``PUBLIC_SUBMISSIONS_PER_HOUR`` times per school and hour (attempts count
    whether or not they are valid; the counter lives outside the transaction)."""
    PUBLIC_LINK_LIMIT.hit(f"{evaluation_round.pk}:{school.pk}:{client_ip}")
    with transaction.atomic():
        return _save_public(evaluation_round, school, ratings)


def _save_public(evaluation_round, school, ratings: Ratings) -> list[Response]:
    _hold_round(evaluation_round.pk)
    evaluation_round = EvaluationRound.objects.select_related("questionnaire").get(
        pk=evaluation_round.pk
    )
    reason = selectors.round_accepts_answers(evaluation_round)
    if reason:
        raise selectors.CodeRefused(reason, code="closed")
    _check_ratings(
        ratings,
        selectors.questionnaire_items(evaluation_round),
        {r.pk for r in selectors.ratees_for(evaluation_round, school)},
    )
    return _save(evaluation_round, RaterGroup.PUBLIC, ratings)


# --- students' conduct (德育品行) ----------------------------------------------------------------

TERMS = (1, 2)


@transaction.atomic
def record_conduct(
    *, evaluation_round: EvaluationRound, by, classroom: Classroom, term: int, ratings: Ratings
) -> list[Response]:
    """The class teacher's conduct evaluation of their class for one term (one page a class):
    each student rated on every item. Saved per student: a student already rated this term
    keeps that answer (the evaluation is the teacher's record, not a draft)."""
    rules.may_rate_conduct(by, classroom).enforce()
    _hold_round(evaluation_round.pk)
    evaluation_round = EvaluationRound.objects.select_related("questionnaire").get(
        pk=evaluation_round.pk
    )
    if evaluation_round.subject_kind != SubjectKind.STUDENT:
        raise ValidationError(_("这不是学生德育品行评价"))
    reason = selectors.round_accepts_answers(evaluation_round)
    if reason:
        raise ValidationError(reason, code="closed")
    if term not in TERMS:
        raise ValidationError(_("学期须为1或2"), code="term")
    enrolled = set(
        classroom.students.filter(status=StudentStatus.ENROLLED).values_list("pk", flat=True)
    )
    done = set(
        Response.objects.filter(
            round=evaluation_round, group=RaterGroup.CLASS_TEACHER, term=term
        ).values_list("ratee_student_id", flat=True)
    )
    ratings = {pk: scores for pk, scores in ratings.items() if pk not in done}
    if not ratings:
        return []
    items = selectors.questionnaire_items(evaluation_round)
    _check_ratings(ratings, items, enrolled, most=len(enrolled))
    return _save(evaluation_round, RaterGroup.CLASS_TEACHER, ratings, term=term)
