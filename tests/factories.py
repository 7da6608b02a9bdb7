"""Plain helper functions that build test data: short to call, explicit about what they make."""

import datetime
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.utils import timezone

from credit_registry.access import Role, assign_role
from credit_registry.common.identity import id_check_char
from credit_registry.common.years import academic_year_of
from evaluations.assessment import services as assessment_services
from evaluations.models import CatalogItem, CreditRecord, RecordStatus
from evaluations.records import services as record_services
from evaluations.rounds import services as evaluation_services
from schools.models import Ownership, School, SchoolAccount, SchoolKind
from students.models import Classroom, Student
from teachers.models import Gender, Teacher

# The instant every test starts at: ``tests/conftest.py`` stops the clock here, so that no test
# depends on the day it is run. A Monday morning in the middle of the 2025—2026 academic year:
# a few days back and a month ahead stay in the same year and in the same term.
NOW = datetime.datetime(2026, 3, 16, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TODAY = NOW.date()
YEAR = academic_year_of(TODAY)

_seq = itertools.count(1)


def valid_id_number(
    birth: datetime.date = datetime.date(1985, 6, 1), serial: int | None = None
) -> str:
    serial = next(_seq) if serial is None else serial
    first17 = f"350902{birth:%Y%m%d}{serial % 1000:03d}"
    return first17 + id_check_char(first17)


def make_user(username: str | None = None, role: Role | None = None, **extra):
    username = username or f"user{next(_seq)}"
    user = get_user_model().objects.create_user(
        username=username, password="pw-Test-12345", **extra
    )
    if role is not None:
        assign_role(user, role)
    return user


def make_school(name: str | None = None, **extra) -> School:
    n = next(_seq)
    values = {
        "code": f"{3500000000 + n}",
        "name": name or f"第{n}中学",
        "kind": SchoolKind.JUNIOR,
        "ownership": Ownership.PUBLIC,
    }
    values.update(extra)
    return School.objects.create(**values)


def make_principal(school: School, username: str | None = None):
    user = make_user(username, role=Role.PRINCIPAL)
    SchoolAccount.objects.create(user=user, school=school)
    return user


def make_teacher(
    school: School | None, name: str = "张老师", with_user: bool = True, **extra
) -> Teacher:
    user = make_user(role=Role.TEACHER) if with_user else None
    values = {
        "name": name,
        "gender": Gender.FEMALE,
        "id_number": valid_id_number(),
        "school": school,
        "user": user,
    }
    values.update(extra)
    return Teacher.objects.create(**values)


def make_classroom(
    school: School, head_teacher: Teacher | None = None, name: str | None = None
) -> Classroom:
    return Classroom.objects.create(
        school=school,
        grade="七年级",
        name=name or f"{next(_seq)}班",
        entry_year=YEAR,
        head_teacher=head_teacher,
    )


def make_student(
    school: School, classroom: Classroom | None = None, name: str = "李小明", **extra
) -> Student:
    n = next(_seq)
    values = {
        "name": name,
        "gender": Gender.MALE,
        "student_number": f"G{n:012d}",
        "id_number": valid_id_number(datetime.date(2012, 3, 4)),
        "school": school,
        "classroom": classroom,
    }
    values.update(extra)
    return Student.objects.create(**values)


def item(code: str) -> CatalogItem:
    return CatalogItem.objects.get(code=code)


def make_record(
    subject,
    code: str,
    *,
    by=None,
    status: str = RecordStatus.PUBLISHED,
    occurred_on: datetime.date | None = None,
    points: Decimal | None = None,
    points_reason: str = "",
) -> CreditRecord:
    """A record taken through the real services up to ``status`` (by a bureau admin)."""
    by = by or make_user(role=Role.BUREAU_ADMIN)
    occurred_on = occurred_on or timezone.localdate() - datetime.timedelta(days=3)
    record = record_services.propose_record(
        by=by,
        subject=subject,
        item=item(code),
        occurred_on=occurred_on,
        narrative="经核查属实。",
        points=points,
        points_reason=points_reason,
        submit=status != RecordStatus.DRAFT,
    )
    if status in (RecordStatus.DRAFT, RecordStatus.SUBMITTED):
        return record
    record = record_services.approve_record(record=record, by=by)
    if status == RecordStatus.APPROVED:
        return record
    return record_services.publish_record(record=record, by=by)


# --- evaluation rounds -------------------------------------------------------------------------


def make_round(*, by=None, year: int | None = None, open_it: bool = True, **extra):
    """A teacher evaluation round of the current academic year (open unless ``open_it=False``)."""

    by = by or make_user(role=Role.BUREAU_ADMIN)
    year = year or academic_year_of(timezone.localdate())
    assessment_services.ensure_year(year=year)
    values = {"name": "师德测评", "closes_on": timezone.localdate() + datetime.timedelta(days=30)}
    values.update(extra)
    evaluation_round = evaluation_services.create_round(by=by, year=year, **values)
    if open_it:
        evaluation_round = evaluation_services.open_round(evaluation_round=evaluation_round, by=by)
    return evaluation_round


def ratings_for(evaluation_round, teachers, score: int) -> dict[int, dict[int, int]]:
    """Every item of the round's questionnaire scored ``score`` for each teacher."""
    items = list(evaluation_round.questionnaire.items.values_list("pk", flat=True))
    return {teacher.pk: dict.fromkeys(items, score) for teacher in teachers}


def answer_with_codes(evaluation_round, *, group, teacher, scores, by=None, classroom=None):
    """One one-time code per score, each used to rate ``teacher``; returns the codes."""

    by = by or make_user(role=Role.BUREAU_ADMIN)
    if classroom is None and group != "public":
        classroom = make_classroom(teacher.school)
    codes = evaluation_services.generate_codes(
        evaluation_round=evaluation_round,
        by=by,
        group=group,
        school=teacher.school,
        classroom=classroom,
        count=len(scores),
    )
    for code, score in zip(codes, scores, strict=True):
        evaluation_services.submit_answers(
            ratings=ratings_for(evaluation_round, [teacher], score), code=code
        )
    return codes
