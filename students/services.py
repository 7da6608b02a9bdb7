"""Writes about students that several entry points share (imports, portals, the admin site):
enrolment history, pledges and their one-time codes, the parent's code, transfer and graduation.
"""

import datetime
import hashlib
import secrets
from collections.abc import Collection
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from credit_registry import rules
from credit_registry.access import (
    Role,
    classrooms_visible_to,
    role_of,
)
from credit_registry.common.bulk import insert_rows
from schools.models import School
from students.models import (
    Acknowledger,
    Classroom,
    Enrolment,
    EnrolmentEvent,
    Guardian,
    ParentCode,
    Pledge,
    PledgeKind,
    PledgeSlip,
    Student,
    StudentStatus,
)

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read off paper
PLEDGE_CODE_LENGTH = 10
PARENT_CODE_LENGTH = 12
PARENT_CODE_DAYS = 180

DEFAULT_PLEDGE_TEXT = {
    PledgeKind.YEARLY: (
        "我承诺：诚实做人，踏实做事；尊敬师长，团结同学；言而有信，不说谎话；"
        "按时完成作业，不抄袭他人作业；爱护公物，遵守校纪校规；拾金不昧，知错就改。"
    ),
    PledgeKind.EXAM: (
        "我承诺：自觉遵守考试纪律，独立完成答卷；不携带与考试无关的物品进入考场；"
        "不交头接耳、不偷看、不抄袭、不替考；如有违纪，愿意接受学校处理。"
    ),
}

ClassKey = tuple[int, int, str]  # school id, entry year, class name


def ensure_classrooms(*, wanted: dict[ClassKey, str]) -> dict[ClassKey, int]:
    """The ids of the classes asked for, creating the ones a school does not have yet (with the
    grade given), in two or three queries."""

    def existing() -> dict[ClassKey, int]:
        return {
            (school, year, name): pk
            for pk, school, year, name in Classroom.objects.filter(
                school_id__in={key[0] for key in wanted}
            ).values_list("pk", "school_id", "entry_year", "name")
        }

    found = existing()
    missing = [
        Classroom(school_id=school, entry_year=year, name=name, grade=grade)
        for (school, year, name), grade in wanted.items()
        if (school, year, name) not in found
    ]
    if missing:
        Classroom.objects.bulk_create(missing, batch_size=1000)
        found = existing()
    return found


def record_imported_students(
    *,
    placed: list[tuple[int, int, int | None]],
    new: Collection[int],
    guardians: dict[int, tuple[str, str, str]],
    on: datetime.date | None = None,
) -> None:
    """After a bulk import: the entry (入学) of each student of the file (id, school id, class
    id) who has none yet — every ``new`` one — and the guardian given replacing the one on
    file, in a fixed number of queries whatever the file's size."""
    on = on or timezone.localdate()
    new = set(new)
    entered = set(
        Enrolment.objects.filter(
            student_id__in=[pk for pk, _, _ in placed if pk not in new]
        ).values_list("student_id", flat=True)
    )
    insert_rows(
        Enrolment,
        (
            {
                "student_id": pk,
                "school_id": school,
                "classroom_id": classroom,
                "event": EnrolmentEvent.ENTERED,
                "date": on,
                "note": "批量导入",
            }
            for pk, school, classroom in placed
            if pk not in entered
        ),
        ids=False,
    )
    if guardians:
        Guardian.objects.filter(student_id__in=[pk for pk in guardians if pk not in new]).delete()
        insert_rows(
            Guardian,
            (
                {"student_id": pk, "name": name, "relation": relation or "监护人", "phone": phone}
                for pk, (name, relation, phone) in guardians.items()
            ),
            ids=False,
        )


def _new_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def new_pledge_code(rng, taken: set[str]) -> str:
    """A slip code from a seeded generator (the demo district is reproducible), unique among
    ``taken``; real pledges use :func:`issue_pledge` and the system's secure random source."""
    while True:
        code = "".join(rng.choice(CODE_ALPHABET) for _ in range(PLEDGE_CODE_LENGTH))
        if code not in taken:
            taken.add(code)
            return code


def normalize_typed_code(text: str) -> str:
    """Codes are typed from paper: ignore spaces, dashes and case."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())[:40]


def _manages_classroom(user, classroom: Classroom) -> bool:
    """Pledges are the school's: its principal account or the bureau, for the school's classes."""
    if role_of(user) not in (Role.PRINCIPAL, Role.BUREAU_ADMIN):
        return False
    return classrooms_visible_to(user).filter(pk=classroom.pk).exists()


# --- pledges -----------------------------------------------------------------------------------


@transaction.atomic
def issue_pledge(
    *, by, classroom: Classroom, kind: str, year: int, exam_name: str = "", text: str = ""
) -> Pledge:
    """Issue a pledge to a class: one slip with a one-time code per enrolled student whose file
    is open. A class gets one yearly pledge per year and one exam pledge per exam."""
    if not _manages_classroom(by, classroom):
        raise PermissionDenied(_("您无权为该班级发放承诺书"))
    exam_name = exam_name.strip()
    if kind == PledgeKind.EXAM and not exam_name:
        raise ValidationError(_("请填写考试名称"), code="exam_name")
    if kind == PledgeKind.YEARLY:
        exam_name = ""
    students = list(
        classroom.students.filter(status=StudentStatus.ENROLLED, file_frozen_at__isnull=True)
    )
    if not students:
        raise ValidationError(_("该班级没有在读学生"))
    try:
        with transaction.atomic():
            pledge = Pledge.objects.create(
                kind=kind,
                classroom=classroom,
                year=year,
                exam_name=exam_name,
                text=text.strip() or DEFAULT_PLEDGE_TEXT[PledgeKind(kind)],
                issued_by=by,
            )
    except IntegrityError:
        raise ValidationError(
            _("该班级本学年已发放过这份承诺书"),
            code="duplicate",
        ) from None
    PledgeSlip.objects.bulk_create(
        PledgeSlip(pledge=pledge, student=student, code=_new_code(PLEDGE_CODE_LENGTH))
        for student in students
    )
    return pledge


def find_slip(code: str) -> PledgeSlip | None:
    code = normalize_typed_code(code)
    if len(code) != PLEDGE_CODE_LENGTH:
        return None
    return (
        PledgeSlip.objects.select_related("pledge__classroom__school", "student")
        .filter(code=code)
        .first()
    )


def acknowledge_pledge(*, code: str, who: str) -> PledgeSlip:
    """The student or a parent acknowledges a pledge with the slip's one-time code. A code is
    used once: a second acknowledgement, even at the same moment, is refused."""
    if who not in Acknowledger.values:
        raise ValidationError(_("请选择确认人"), code="who")
    slip = find_slip(code)
    if slip is None:
        raise ValidationError(_("确认码无效"), code="invalid")
    if slip.student.file_frozen_at:
        raise ValidationError(_("该学生档案已冻结"), code="frozen")
    now = timezone.now()
    changed = PledgeSlip.objects.filter(pk=slip.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=now, acknowledged_by=who
    )
    if not changed:
        raise ValidationError(
            _("该承诺书已经确认过，确认码不能再次使用"),
            code="already_acknowledged",
        )
    slip.acknowledged_at, slip.acknowledged_by = now, who
    return slip


# --- the parent's code -------------------------------------------------------------------------


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedCode:
    """A parent's code in clear, for the one page that shows it."""

    student: Student
    code: str
    expires_at: datetime.datetime

    @property
    def display(self) -> str:
        return grouped_code(self.code)


def grouped_code(code: str) -> str:
    """A parent's code grouped by four, as it is read off paper: ABCD-EFGH-JKMN."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _replace_parent_codes(by, students: list[Student]) -> list[IssuedCode]:
    """New codes for these students; their earlier codes stop working. Only hashes are kept."""
    now = timezone.now()
    expires_at = now + datetime.timedelta(days=PARENT_CODE_DAYS)
    ParentCode.objects.filter(student__in=[s.pk for s in students], revoked_at__isnull=True).update(
        revoked_at=now
    )
    issued = [IssuedCode(s, _new_code(PARENT_CODE_LENGTH), expires_at) for s in students]
    ParentCode.objects.bulk_create(
        ParentCode(student=i.student, code_hash=_hash(i.code), issued_by=by, expires_at=expires_at)
        for i in issued
    )
    return issued


@transaction.atomic
def issue_parent_code(*, by, student: Student) -> str:
    """A new code for a parent to read the child's file; earlier codes stop working. Returns
    the code in clear: it is shown once and only its hash is kept."""
    rules.may_issue_parent_code(by, student).enforce()
    (issued,) = _replace_parent_codes(by, [student])
    return issued.code


@transaction.atomic
def issue_class_parent_codes(*, by, classroom: Classroom) -> list[IssuedCode]:
    """A code for the parents of every enrolled student of a class whose file is open, in name
    order, for one printed sheet; each student's earlier codes stop working."""
    rules.may_issue_class_parent_codes(by, classroom).enforce()
    students = list(
        classroom.students.filter(status=StudentStatus.ENROLLED, file_frozen_at__isnull=True)
        .select_for_update()
        .order_by("name", "pk")
    )
    if not students:
        raise ValidationError(_("该班级没有在读学生"), code="empty")
    return _replace_parent_codes(by, students)


def student_for_parent_code(code: str) -> Student | None:
    """The student a valid (not revoked, not expired) parent code opens, else None."""
    code = normalize_typed_code(code)
    if len(code) != PARENT_CODE_LENGTH:
        return None
    now = timezone.now()
    found = (
        ParentCode.objects.select_related("student")
        .filter(code_hash=_hash(code), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if found is None:
        return None
    ParentCode.objects.filter(pk=found.pk).update(last_used_at=now)
    return found.student


def parent_code_still_valid(student_id: int, code_hash: str) -> bool:
    return ParentCode.objects.filter(
        student_id=student_id,
        code_hash=code_hash,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).exists()


def code_hash(code: str) -> str:
    return _hash(normalize_typed_code(code))


# --- transfer and graduation -------------------------------------------------------------------


def _lock_enrolled(by, student: Student) -> Student:
    student = Student.objects.select_for_update().select_related("school").get(pk=student.pk)
    rules.may_change_enrolment(by, student).enforce()
    return student


@transaction.atomic
def transfer_student(
    *,
    by,
    student: Student,
    on: datetime.date,
    to_school: School | None = None,
    note: str = "",
    grade: str | None = None,
) -> Student:
    """Transfer a student. Inside the district (``to_school`` given) the file moves to the
    receiving school with every record: the old school no longer sees it, the new one does, and
    the receiving school places the student in a class. Out of the district the file is frozen.
    The receiving school must teach the student's stage (``grade``: the grade entered there, if
    known, else the current class's).
    """
    student = _lock_enrolled(by, student)
    if on > timezone.localdate():
        raise ValidationError(_("转学日期不能晚于今天"))
    if to_school is not None and (to_school.pk == student.school_id or not to_school.active):
        raise ValidationError(
            _("请选择本区另一所在办学校"),
            code="to_school",
        )
    if to_school is not None:
        rules.may_transfer_to(student, to_school, grade=grade).enforce()
    Enrolment.objects.create(
        student=student,
        school_id=student.school_id,
        classroom_id=student.classroom_id,
        event=EnrolmentEvent.TRANSFERRED_OUT,
        date=on,
        note=(f"转入{to_school.name}" if to_school else "转出本区") + (f"；{note}" if note else ""),
    )
    if to_school is None:
        student.status = StudentStatus.TRANSFERRED_OUT
        student.file_frozen_at = timezone.now()
        student.save(update_fields=["status", "file_frozen_at"])
        return student
    from_school = student.school
    student.school = to_school
    student.classroom = None
    student.save(update_fields=["school", "classroom"])
    Enrolment.objects.create(
        student=student,
        school=to_school,
        event=EnrolmentEvent.TRANSFERRED_IN,
        date=on,
        note=f"由{from_school.name}转入",
    )
    # Codes handed out by the old school stop working; the new school issues its own.
    ParentCode.objects.filter(student=student, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return student


@transaction.atomic
def graduate_student(*, by, student: Student, on: datetime.date) -> Student:
    """Graduation freezes the file: it stays with the school, read-only, for the PDF."""
    student = _lock_enrolled(by, student)
    Enrolment.objects.create(
        student=student,
        school_id=student.school_id,
        classroom_id=student.classroom_id,
        event=EnrolmentEvent.GRADUATED,
        date=on,
    )
    student.status = StudentStatus.GRADUATED
    student.file_frozen_at = timezone.now()
    student.save(update_fields=["status", "file_frozen_at"])
    return student


@transaction.atomic
def place_in_classroom(*, by, student: Student, classroom: Classroom) -> Student:
    """Put a student in one of the school's classes (the receiving school after a transfer, or
    a change of class). The former class teacher stops seeing the file at once."""
    student = _lock_enrolled(by, student)
    if classroom.school_id != student.school_id:
        raise ValidationError(_("请选择本校的班级"))
    if classroom.pk == student.classroom_id:
        return student
    Enrolment.objects.create(
        student=student,
        school_id=student.school_id,
        classroom=classroom,
        event=EnrolmentEvent.PLACED,
        date=timezone.localdate(),
        note=f"由{student.classroom}调入" if student.classroom_id else "",
    )
    student.classroom = classroom
    student.save(update_fields=["classroom"])
    return student
