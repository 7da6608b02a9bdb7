"""The rule-book: every "may this user do that to this thing, now?" of the registry, once.

Each rule returns a :class:`Verdict`. The services refuse with it (``verdict.enforce()``), the
views and the admin offer an action only when it holds, and templates show what the view passed:
a link is on a page exactly when the service behind it would accept the request.

A verdict that fails for the user's role raises ``PermissionDenied``; one that fails for the
object's state (a closed window, a wrong status) raises ``ValidationError`` with a stable code.
Rules read the database only where the object alone cannot answer (an earlier objection, a
pending repair); list pages annotate those facts first (``has_objection``, ``repair_pending``).
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from credit_registry.access import (
    Role,
    can_propose_record_for,
    is_bureau,
    may_act_for_subject,
    role_of,
    school_of,
    students_visible_to,
    teacher_of,
)
from evaluations.models import (
    AssessmentYear,
    ClueStatus,
    ComplaintClue,
    CreditRecord,
    Objection,
    ObjectionStatus,
    RecordStatus,
    RepairApplication,
    RepairStatus,
)
from schools.models import School, SchoolKind
from students.models import Student, StudentStatus

OBJECTION_WINDOW_DAYS = 15
# Statuses in which a record is still its author's working copy.
WORKING_STATUSES = (RecordStatus.DRAFT, RecordStatus.RETURNED)

STATUS_VERBS = {
    "submit": pgettext_lazy("record action", "提交"),
    "approve": pgettext_lazy("record action", "审核"),
    "return": pgettext_lazy("record action", "退回"),
    "publish": pgettext_lazy("record action", "公布"),
    "edit": pgettext_lazy("record action", "修改"),
    "withdraw": pgettext_lazy("record action", "撤回"),
    "object": pgettext_lazy("record action", "提出异议"),
    "repair": pgettext_lazy("record action", "申请修复"),
}


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    message: str = ""
    code: str = ""
    # True when the role may never do this here: PermissionDenied instead of ValidationError.
    forbidden: bool = False

    def __bool__(self) -> bool:
        return self.allowed

    def enforce(self) -> None:
        if self.allowed:
            return
        if self.forbidden:
            raise PermissionDenied(self.message)
        raise ValidationError(self.message, code=self.code or "not_allowed")


YES = Verdict(True)


def _forbid(message: str) -> Verdict:
    return Verdict(False, message, "forbidden", forbidden=True)


def _refuse(message: str, code: str) -> Verdict:
    return Verdict(False, message, code)


def _wrong_state(record: CreditRecord, verb: str) -> Verdict:
    return _refuse(
        _("记录当前状态为“%(status)s”，不能%(action)s")
        % {"status": record.get_status_display(), "action": STATUS_VERBS[verb]},
        "wrong_state",
    )


def first_failing(*verdicts: Verdict) -> Verdict:
    return next((v for v in verdicts if not v), YES)


BUREAU_ONLY = _forbid(gettext_lazy("只有局机关工作人员可以执行此操作"))


def is_bureau_staff(user) -> Verdict:
    return YES if is_bureau(user) else BUREAU_ONLY


# --- proposing and the working copy ------------------------------------------------------------


def year_is_open(year: int) -> Verdict:
    if AssessmentYear.objects.filter(year=year, closed_at__isnull=False).exists():
        return _refuse(
            _("%(year)s学年已关闭，不能再登记该学年的记录") % {"year": year},
            "year_closed",
        )
    return YES


def may_propose(user, subject) -> Verdict:
    if not can_propose_record_for(user, subject):
        return _forbid(_("您无权为该对象登记信用记录"))
    if isinstance(subject, Student) and subject.file_frozen_at:
        return _refuse(_("该学生档案已冻结"), "frozen")
    return YES


def _author_or_bureau(user, record: CreditRecord, what: str) -> Verdict:
    """A working copy is the business of whoever wrote it, of the school it was written at
    (the principal answers for the class teachers' records), and of the bureau."""
    if is_bureau(user) or record.recorded_by_id == user.pk or _written_at_school_of(user, record):
        return YES
    return _forbid(_("只有记录人、其所在学校或局机关可以%(what)s") % {"what": what})


def _written_at_school_of(user, record: CreditRecord) -> bool:
    """Was the record written by an account or a teacher of the school ``user`` acts for?"""
    if record.recorded_by_id is None or role_of(user) != Role.PRINCIPAL:
        return False
    own = getattr(user, "school_account", None)
    recorder = record.recorded_by
    account = getattr(recorder, "school_account", None)
    teacher = getattr(recorder, "teacher", None)
    written_at = account.school_id if account else (teacher.school_id if teacher else None)
    return own is not None and written_at == own.school_id


def may_edit(user, record: CreditRecord) -> Verdict:
    """Change a record's content: its author or the bureau, while it is a working copy (the
    bureau also while it waits for review)."""
    editable = WORKING_STATUSES + ((RecordStatus.SUBMITTED,) if is_bureau(user) else ())
    return first_failing(
        _author_or_bureau(user, record, pgettext("record action", "修改记录")),
        YES
        if record.status in editable and not record.is_published
        else _wrong_state(record, "edit"),
    )


def may_submit(user, record: CreditRecord) -> Verdict:
    return first_failing(
        _author_or_bureau(user, record, pgettext("record action", "提交")),
        YES if record.status in WORKING_STATUSES else _wrong_state(record, "submit"),
    )


def may_withdraw(user, record: CreditRecord) -> Verdict:
    """Delete a working copy that was never published."""
    return first_failing(
        _author_or_bureau(user, record, pgettext("record action", "撤回或删除草稿")),
        YES
        if record.status in WORKING_STATUSES and not record.is_published
        else _wrong_state(record, "withdraw"),
    )


def may_attach_evidence(user, record: CreditRecord) -> Verdict:
    if not (is_bureau(user) or record.recorded_by_id == user.pk):
        return _forbid(_("您无权为该记录上传材料"))
    if record.is_published:
        return _refuse(_("已公布的记录不能再增加材料"), "published")
    return YES


# --- the bureau's review -----------------------------------------------------------------------


def may_approve(user, record: CreditRecord) -> Verdict:
    return first_failing(
        is_bureau_staff(user),
        YES if record.status == RecordStatus.SUBMITTED else _wrong_state(record, "approve"),
    )


def may_return(user, record: CreditRecord) -> Verdict:
    return first_failing(
        is_bureau_staff(user),
        YES
        if record.status in (RecordStatus.SUBMITTED, RecordStatus.APPROVED)
        else _wrong_state(record, "return"),
    )


def may_publish(user, record: CreditRecord) -> Verdict:
    return first_failing(
        is_bureau_staff(user),
        YES if record.status == RecordStatus.APPROVED else _wrong_state(record, "publish"),
        year_is_open(record.year),
    )


# --- objections --------------------------------------------------------------------------------


def objection_deadline(record: CreditRecord) -> datetime.date | None:
    """The last day an objection may be filed: 15 days from the day of publication."""
    if record.published_at is None:
        return None
    return timezone.localdate(record.published_at) + datetime.timedelta(days=OBJECTION_WINDOW_DAYS)


def _has_objection(record: CreditRecord) -> bool:
    known = getattr(record, "has_objection", None)
    if known is not None:
        return known
    return Objection.objects.filter(record_id=record.pk).exists()


def may_object(user, record: CreditRecord, *, today: datetime.date | None = None) -> Verdict:
    """The subject (the school, for a student) objects once, within 15 days of publication."""
    today = today or timezone.localdate()
    if not may_act_for_subject(user, record):
        return _forbid(_("只有记录对象本人或所在学校可以提出异议"))
    if record.status != RecordStatus.PUBLISHED:
        return _wrong_state(record, "object")
    if _has_objection(record):
        return _refuse(
            _("该记录已经提出过异议"),
            "already_objected",
        )
    if today > objection_deadline(record):
        return _refuse(
            _("已超过公布后%(days)s日的异议期限") % {"days": OBJECTION_WINDOW_DAYS},
            "objection_window",
        )
    return YES


def may_decide_objection(user, objection: Objection) -> Verdict:
    return first_failing(
        is_bureau_staff(user),
        YES
        if objection.status == ObjectionStatus.OPEN
        else _refuse(_("该异议已经处理"), "already_decided"),
    )


# --- credit repair -----------------------------------------------------------------------------


def _repair_pending(record: CreditRecord) -> bool:
    known = getattr(record, "repair_pending", None)
    if known is not None:
        return known
    return RepairApplication.objects.filter(
        record_id=record.pk, status=RepairStatus.PENDING
    ).exists()


def may_apply_for_repair(
    user, record: CreditRecord, *, today: datetime.date | None = None
) -> Verdict:
    """A published negative record, by its subject or their school, once the tier's minimum
    period is over and no other application waits."""
    today = today or timezone.localdate()
    if not may_act_for_subject(user, record):
        return _forbid(_("只有记录对象本人或所在学校可以申请修复"))
    if not record.is_negative:
        return _refuse(_("只有失信记录可以申请修复"), "not_negative")
    if record.status != RecordStatus.PUBLISHED:
        return _wrong_state(record, "repair")
    earliest = record.repair_possible_from()
    if today < earliest:
        return _refuse(
            _("该记录自%(date)s起方可申请信用修复") % {"date": f"{earliest:%Y-%m-%d}"},
            "repair_too_early",
        )
    if _repair_pending(record):
        return _refuse(_("已有待审核的修复申请"), "repair_pending")
    return YES


def may_decide_repair(user, application: RepairApplication) -> Verdict:
    return first_failing(
        is_bureau_staff(user),
        YES
        if application.status == RepairStatus.PENDING
        else _refuse(_("该申请已经审核"), "already_decided"),
    )


# --- complaint clues --------------------------------------------------------------------------


def _clue_open(clue: ComplaintClue) -> Verdict:
    if clue.status in (ClueStatus.RECEIVED, ClueStatus.ASSIGNED):
        return YES
    return _refuse(_("该线索已办结"), "clue_closed")


def may_assign_clue(user, clue: ComplaintClue) -> Verdict:
    return first_failing(is_bureau_staff(user), _clue_open(clue))


def may_work_clue(user, clue: ComplaintClue) -> Verdict:
    """Add notes to a clue or close it: the bureau, or the inspector it is assigned to."""
    assigned = clue.assigned_to_id == user.pk and role_of(user) == Role.INSPECTOR
    if not (is_bureau(user) or assigned):
        return _forbid(_("该线索未分派给您"))
    return _clue_open(clue)


# --- students ----------------------------------------------------------------------------------


def may_change_enrolment(user, student: Student) -> Verdict:
    """Transfer, graduate or place a student: the bureau or the student's current school, while
    the student is enrolled and the file open."""
    acting = is_bureau(user) or (
        role_of(user) == Role.PRINCIPAL and school_of(user) == student.school
    )
    if not acting:
        return _forbid(_("您无权办理该学生的学籍变动"))
    if student.status != StudentStatus.ENROLLED or student.file_frozen_at:
        return _refuse(
            _("该学生已不在读，档案已冻结"),
            "not_enrolled",
        )
    return YES


# Which kinds of school teach a stage; a training institution enrols nobody.
STAGE_KINDS = {
    "kindergarten": frozenset({SchoolKind.KINDERGARTEN}),
    "primary": frozenset({SchoolKind.PRIMARY, SchoolKind.NINE_YEAR}),
    "junior": frozenset({SchoolKind.JUNIOR, SchoolKind.NINE_YEAR, SchoolKind.COMPLETE_SECONDARY}),
    "senior": frozenset({SchoolKind.SENIOR, SchoolKind.COMPLETE_SECONDARY}),
    "vocational": frozenset({SchoolKind.VOCATIONAL}),
}
KIND_STAGES = {
    kind: frozenset(stage for stage, kinds in STAGE_KINDS.items() if kind in kinds)
    for kind in SchoolKind
}
_GRADE_NUMBERS = {c: n for n, c in enumerate("一二三四五六七八九", start=1)}


def stage_of_grade(grade: str) -> str | None:
    """The stage a class's grade label belongs to (七年级, 初一, 高二年级, 中职一年级, 大班,
    3年级 …), or None when the label does not say."""
    label = "".join((grade or "").split())
    if not label:
        return None
    if "职" in label:
        return "vocational"
    if label.startswith("高"):
        return "senior"
    if label.startswith("初"):
        return "junior"
    if any(word in label for word in ("托班", "小班", "中班", "大班", "幼")):
        return "kindergarten"
    head = label.split("年级")[0] if "年级" in label else ""
    number = int(head) if head.isdigit() else _GRADE_NUMBERS.get(head)
    if number is None:
        return None
    return "primary" if number <= 6 else "junior" if number <= 9 else "senior"


def school_kinds_taking(student: Student, *, grade: str | None = None) -> frozenset[str]:
    """The kinds of school a student may transfer to: those that teach the stage of the grade
    (the student's class's, unless the grade entered at the new school is given); a student in
    no class, or in a grade the label does not tell, goes by the stages of the current school."""
    if grade is None and student.classroom_id:
        grade = student.classroom.grade
    stage = stage_of_grade(grade or "")
    stages = {stage} if stage else KIND_STAGES.get(student.school.kind, frozenset())
    return frozenset().union(*(STAGE_KINDS[s] for s in stages)) if stages else frozenset()


def may_transfer_to(student: Student, school: School, *, grade: str | None = None) -> Verdict:
    if school.kind not in school_kinds_taking(student, grade=grade):
        return _refuse(
            _("%(school)s是%(kind)s，不接收该学段的学生")
            % {"school": school.name, "kind": school.get_kind_display()},
            "wrong_stage",
        )
    return YES


def may_rate_conduct(user, classroom) -> Verdict:
    """The class teacher (班主任) evaluates the conduct of their own class, nobody else."""
    teacher = teacher_of(user) if role_of(user) == Role.TEACHER else None
    if teacher is None or classroom.head_teacher_id != teacher.pk:
        return _forbid(_("只有本班班主任可以评价学生德育品行"))
    return YES


def may_issue_parent_code(user, student: Student) -> Verdict:
    if role_of(user) not in (Role.PRINCIPAL, Role.BUREAU_ADMIN) or not (
        students_visible_to(user).filter(pk=student.pk).exists()
    ):
        return _forbid(_("您无权为该学生发放查询码"))
    return YES


def may_issue_class_parent_codes(user, classroom) -> Verdict:
    """Parents' codes for a whole class at once (a printed sheet of slips): the class teacher,
    who hands the slips out, the school for any of its classes, and the bureau."""
    role = role_of(user)
    school_acts = role == Role.PRINCIPAL and school_of(user) == classroom.school
    teacher = teacher_of(user) if role == Role.TEACHER else None
    heads = teacher is not None and classroom.head_teacher_id == teacher.pk
    if not (role == Role.BUREAU_ADMIN or school_acts or heads):
        return _forbid(_("只有本班班主任或学校可以为全班发放家长查询码"))
    return YES


# --- what a page offers ------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordActions:
    """What the viewer may do with a record now, straight from the rule-book: correct, submit or
    withdraw a working copy; object to or ask to repair a published record."""

    may_object: bool
    object_until: datetime.date | None
    may_repair: bool
    repair_from: datetime.date | None  # shown while the only thing missing is time
    may_edit: bool = False
    may_submit: bool = False
    may_withdraw: bool = False


def record_actions(user, record, *, today: datetime.date) -> RecordActions:
    repair = may_apply_for_repair(user, record, today=today)
    return RecordActions(
        may_object=bool(may_object(user, record, today=today)),
        object_until=objection_deadline(record),
        may_repair=bool(repair),
        repair_from=record.repair_possible_from() if repair.code == "repair_too_early" else None,
        may_edit=bool(may_edit(user, record)),
        may_submit=bool(may_submit(user, record)),
        may_withdraw=bool(may_withdraw(user, record)),
    )
