"""Who may see what: the one place that scopes every query a role can reach.

Views, admin ``get_queryset`` methods, exports and reports all start from these functions; a
test over this module is a test over the whole site. A user edits an id in a URL and lands on a
queryset that does not contain the object: 404, never someone else's data.

Roles (SPEC §1): bureau admin (局机关), bureau inspector (督查), principal/school admin (校长, a
``SchoolAccount``), teacher (a ``Teacher`` with ``user``). A class teacher (班主任) is a teacher
who heads a class.
"""

from enum import StrEnum

from django.contrib.auth.models import AnonymousUser, Group
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from evaluations.models import (
    PUBLISHED_STATUSES,
    AccessCode,
    ComplaintClue,
    CreditRecord,
    Objection,
    RaterAssignment,
    RaterGroup,
    RepairApplication,
)
from schools.models import IntegrityActivity, OperationChecklist, School
from students.models import Classroom, Pledge, Student
from teachers.models import Teacher


class Role(StrEnum):
    BUREAU_ADMIN = "bureau_admin"
    INSPECTOR = "inspector"
    PRINCIPAL = "principal"
    TEACHER = "teacher"
    NONE = "none"


ROLE_LABELS = {
    Role.BUREAU_ADMIN: gettext_lazy("局机关管理员"),
    Role.INSPECTOR: gettext_lazy("督查员"),
    Role.PRINCIPAL: gettext_lazy("学校管理员（校长）"),
    Role.TEACHER: gettext_lazy("教师"),
}

STAFF_ROLES = (Role.BUREAU_ADMIN, Role.INSPECTOR)


def role_of(user) -> Role:
    """A user's role, looked up once per request object and cached on it."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return Role.NONE
    cached = getattr(user, "_registry_role", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        role = Role.BUREAU_ADMIN
    else:
        groups = set(user.groups.values_list("name", flat=True))
        if Role.BUREAU_ADMIN in groups:
            role = Role.BUREAU_ADMIN
        elif Role.INSPECTOR in groups:
            role = Role.INSPECTOR
        elif school_of(user) is not None:
            role = Role.PRINCIPAL
        elif teacher_of(user) is not None:
            role = Role.TEACHER
        else:
            role = Role.NONE
    user._registry_role = role
    return role


def school_of(user) -> School | None:
    """The school a principal/school-admin account acts for."""
    account = getattr(user, "school_account", None) if user.is_authenticated else None
    try:
        return account.school if account else None
    except School.DoesNotExist:  # pragma: no cover - protected FK
        return None


def teacher_of(user) -> Teacher | None:
    if not user.is_authenticated:
        return None
    try:
        return user.teacher
    except Teacher.DoesNotExist:
        return None


def is_bureau(user) -> bool:
    return role_of(user) == Role.BUREAU_ADMIN


def assign_role(user, role: Role) -> None:
    """Put a user in exactly the group of one staff role (bureau admin or inspector)."""
    user.groups.remove(*Group.objects.filter(name__in=[r.value for r in Role]))
    if role in (Role.BUREAU_ADMIN, Role.INSPECTOR, Role.PRINCIPAL, Role.TEACHER):
        user.groups.add(Group.objects.get(name=role.value))
    user.is_staff = role in STAFF_ROLES
    user.save(update_fields=["is_staff"])
    user._registry_role = None


# --- subjects ----------------------------------------------------------------------------------


def _inspector_clues(user) -> QuerySet[ComplaintClue]:
    return ComplaintClue.objects.filter(assigned_to=user)


def clues_visible_to(user) -> QuerySet[ComplaintClue]:
    """Every clue for a bureau admin; the clues assigned to them for an inspector."""
    role = role_of(user)
    if role == Role.BUREAU_ADMIN:
        return ComplaintClue.objects.all()
    if role == Role.INSPECTOR:
        return _inspector_clues(user)
    return ComplaintClue.objects.none()


def schools_visible_to(user) -> QuerySet[School]:
    role = role_of(user)
    if role == Role.BUREAU_ADMIN:
        return School.objects.all()
    if role == Role.INSPECTOR:
        clues = _inspector_clues(user)
        return School.objects.filter(
            Q(pk__in=clues.values("school")) | Q(pk__in=clues.values("teacher__school"))
        )
    if role in (Role.PRINCIPAL, Role.TEACHER):
        school = school_of(user) if role == Role.PRINCIPAL else teacher_of(user).school
        return School.objects.filter(pk=school.pk) if school else School.objects.none()
    return School.objects.none()


def teachers_visible_to(user) -> QuerySet[Teacher]:
    role = role_of(user)
    if role == Role.BUREAU_ADMIN:
        return Teacher.objects.all()
    if role == Role.INSPECTOR:
        return Teacher.objects.filter(pk__in=_inspector_clues(user).values("teacher"))
    if role == Role.PRINCIPAL:
        return Teacher.objects.filter(school=school_of(user))
    if role == Role.TEACHER:
        return Teacher.objects.filter(pk=teacher_of(user).pk)
    return Teacher.objects.none()


def classrooms_visible_to(user) -> QuerySet[Classroom]:
    role = role_of(user)
    if role == Role.BUREAU_ADMIN:
        return Classroom.objects.all()
    if role == Role.PRINCIPAL:
        return Classroom.objects.filter(school=school_of(user))
    if role == Role.TEACHER:
        return Classroom.objects.filter(head_teacher=teacher_of(user))
    return Classroom.objects.none()


def students_visible_to(user) -> QuerySet[Student]:
    """Minors' data: the bureau, the student's current school, and the class teacher only."""
    role = role_of(user)
    if role == Role.BUREAU_ADMIN:
        return Student.objects.all()
    if role == Role.PRINCIPAL:
        return Student.objects.filter(school=school_of(user))
    if role == Role.TEACHER:
        return Student.objects.filter(classroom__head_teacher=teacher_of(user))
    return Student.objects.none()


def may_issue_student_file(user) -> bool:
    """Student files (PDF) are for graduation and transfer: the school's and the bureau's act,
    for the students in their scope (``students_visible_to``)."""
    return role_of(user) in (Role.BUREAU_ADMIN, Role.PRINCIPAL)


# --- records -----------------------------------------------------------------------------------


def lookup_scope(user, model) -> QuerySet | None:
    """The people and schools a form may look up for this user (an admin's id field, its
    autocomplete, a prefilled add form): the same scope as their lists. ``None`` for a model
    that holds no person."""
    scopes = {
        School: schools_visible_to,
        Teacher: teachers_visible_to,
        Classroom: classrooms_visible_to,
        Student: students_visible_to,
    }
    scope = scopes.get(model)
    return scope(user) if scope is not None else None


def records_visible_to(user) -> QuerySet[CreditRecord]:
    """Credit records a user may read.

    Subjects see their own records only once published; a school sees every record about itself,
    its teachers and its current students (a transferred student's file moves with them); an
    inspector sees records about the subjects of their clues and the records they wrote.
    """
    role = role_of(user)
    records = CreditRecord.objects.all()
    if role == Role.BUREAU_ADMIN:
        return records
    if role == Role.INSPECTOR:
        clues = _inspector_clues(user)
        return records.filter(
            Q(recorded_by=user)
            | Q(teacher__in=clues.values("teacher"))
            | Q(school__in=clues.values("school"))
        )
    if role == Role.PRINCIPAL:
        school = school_of(user)
        return records.filter(
            Q(school=school)
            | Q(teacher__in=Teacher.objects.filter(school=school).values("pk"))
            | Q(student__in=Student.objects.filter(school=school).values("pk"))
        )
    if role == Role.TEACHER:
        teacher = teacher_of(user)
        own = Q(teacher=teacher, status__in=PUBLISHED_STATUSES)
        class_students = Q(
            student__in=Student.objects.filter(classroom__head_teacher=teacher).values("pk")
        )
        # Not "records the teacher wrote": once a student leaves the class (a transfer), the
        # student's file goes with them and the former class teacher no longer reads it.
        return records.filter(own | class_students)
    return records.none()


def can_propose_record_for(user, subject) -> bool:
    """Who may draft a record about a subject: the bureau (anyone), an inspector (subjects of
    their clues), a principal (own school and its people), a class teacher (own class's students)."""
    role = role_of(user)
    if role == Role.BUREAU_ADMIN:
        return True
    if isinstance(subject, School):
        return schools_visible_to(user).filter(pk=subject.pk).exists() and role in (
            Role.PRINCIPAL,
            Role.INSPECTOR,
        )
    if isinstance(subject, Teacher):
        return role in (Role.PRINCIPAL, Role.INSPECTOR) and (
            teachers_visible_to(user).filter(pk=subject.pk).exists()
        )
    if isinstance(subject, Student):
        return role in (Role.PRINCIPAL, Role.TEACHER) and (
            students_visible_to(user).filter(pk=subject.pk).exists()
        )
    return False


def may_act_for_subject(user, record: CreditRecord) -> bool:
    """Who may object or apply for repair: the teacher about themself, the school about itself,
    its teachers (on their behalf) and its students (SPEC §3: the school objects for a student)."""
    role = role_of(user)
    if role == Role.TEACHER:
        return record.teacher_id is not None and record.teacher_id == teacher_of(user).pk
    if role == Role.PRINCIPAL:
        school = school_of(user)
        if record.school_id:
            return record.school_id == school.pk
        if record.student_id:
            return record.student.school_id == school.pk
        return record.teacher.school_id == school.pk
    return False


def sees_dispute_files(user, record: CreditRecord) -> bool:
    """The files of an objection or a repair application about a record: the bureau, which
    decides, and the subject's side, who filed them (``may_act_for_subject``)."""
    return is_bureau(user) or may_act_for_subject(user, record)


def _subject_side_records(user) -> QuerySet[CreditRecord]:
    """``may_act_for_subject`` as a queryset: the records whose subject the user answers for."""
    role = role_of(user)
    if role == Role.TEACHER:
        return CreditRecord.objects.filter(teacher=teacher_of(user))
    if role == Role.PRINCIPAL:
        return records_visible_to(user)  # the school, its teachers, its current students
    return CreditRecord.objects.none()


def objections_visible_to(user) -> QuerySet[Objection]:
    """Objections with their files (``sees_dispute_files``): the bureau all, the subject's
    side theirs."""
    if is_bureau(user):
        return Objection.objects.all()
    return Objection.objects.filter(record__in=_subject_side_records(user).values("pk"))


def repairs_visible_to(user) -> QuerySet[RepairApplication]:
    """Repair applications with their files, seen as objections are."""
    if is_bureau(user):
        return RepairApplication.objects.all()
    return RepairApplication.objects.filter(record__in=_subject_side_records(user).values("pk"))


# --- evaluation rounds -------------------------------------------------------------------------


def assignments_visible_to(user) -> QuerySet[RaterAssignment]:
    """Evaluation tasks a user answers: a teacher their self- and peer evaluations, a school
    account the principal's evaluations of its teachers, the bureau the principal's evaluation
    of principals who also teach (nobody rates themself). Nobody else answers."""
    role = role_of(user)
    if role == Role.BUREAU_ADMIN:
        return RaterAssignment.objects.filter(group=RaterGroup.PRINCIPAL, rater_school__isnull=True)
    if role == Role.TEACHER:
        return RaterAssignment.objects.filter(rater_teacher=teacher_of(user))
    if role == Role.PRINCIPAL:
        return RaterAssignment.objects.filter(
            rater_school=school_of(user), group=RaterGroup.PRINCIPAL
        )
    return RaterAssignment.objects.none()


def access_codes_visible_to(user) -> QuerySet[AccessCode]:
    """One-time codes a user may generate and print: the bureau all, a school its own."""
    role = role_of(user)
    if role == Role.BUREAU_ADMIN:
        return AccessCode.objects.all()
    if role == Role.PRINCIPAL:
        return AccessCode.objects.filter(school=school_of(user))
    return AccessCode.objects.none()


# --- schools' own integrity work ---------------------------------------------------------------


def activities_visible_to(user) -> QuerySet[IntegrityActivity]:
    """Integrity-education activities: the bureau all, a school its own."""
    role = role_of(user)
    if role == Role.BUREAU_ADMIN:
        return IntegrityActivity.objects.all()
    if role == Role.PRINCIPAL:
        return IntegrityActivity.objects.filter(school=school_of(user))
    return IntegrityActivity.objects.none()


def checklists_visible_to(user) -> QuerySet[OperationChecklist]:
    """Lawful-operation checklists: the bureau all, a school its self-assessments and the
    bureau's inspections of it."""
    role = role_of(user)
    if role == Role.BUREAU_ADMIN:
        return OperationChecklist.objects.all()
    if role == Role.PRINCIPAL:
        return OperationChecklist.objects.filter(school=school_of(user))
    return OperationChecklist.objects.none()


def pledges_visible_to(user) -> QuerySet[Pledge]:
    """Pledges and their slips: the bureau all, a school its classes', a class teacher the
    pledges of the classes they head (to hand out the slips)."""
    role = role_of(user)
    if role == Role.BUREAU_ADMIN:
        return Pledge.objects.all()
    if role in (Role.PRINCIPAL, Role.TEACHER):
        return Pledge.objects.filter(classroom__in=classrooms_visible_to(user).values("pk"))
    return Pledge.objects.none()
