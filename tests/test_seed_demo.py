"""The demo district: what a newcomer lands on must be complete, valid and reproducible.

A small district (8 schools, 40 teachers, 200 students) keeps the suite fast while still holding
one school of every kind and every step of the record lifecycle.
"""

import datetime
import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from credit_registry.access import Role, records_visible_to, role_of, school_of, teacher_of
from credit_registry.common.identity import birth_date_from_id, validate_id_number
from credit_registry.common.years import academic_year_of
from credit_registry.demo import DEMO_PASSWORD, GRADES, build_demo_district
from evaluations.models import (
    AssessmentResult,
    ClueStatus,
    ComplaintClue,
    CreditRecord,
    LedgerEntry,
    Objection,
    ObjectionStatus,
    RecordStatus,
    RepairApplication,
    RepairStatus,
)
from evaluations.records.ledger import verify_chain
from schools.models import LeadingGroupMember, Ownership, School, SchoolKind
from students.models import Classroom, Student, validate_student_number
from teachers.models import Degree, Posting, Teacher

SMALL = {"schools": 8, "teachers": 40, "students": 200}
START_AGE = {grade.label: grade.start_age for grades in GRADES.values() for grade in grades}
EXPECTED_ROLES = {
    "admin": Role.BUREAU_ADMIN,
    "bureau": Role.BUREAU_ADMIN,
    "inspector": Role.INSPECTOR,
    "principal": Role.PRINCIPAL,
    "principal2": Role.PRINCIPAL,
    "teacher": Role.TEACHER,
}


@pytest.fixture
def demo_output(db) -> str:
    out = StringIO()
    call_command("seed_demo", seed=7, stdout=out, **SMALL)
    return out.getvalue()


def test_every_kind_of_school_and_both_ownerships(demo_output):
    assert set(School.objects.values_list("kind", flat=True)) == set(SchoolKind.values)
    assert School.objects.count() == SMALL["schools"]
    assert set(School.objects.values_list("ownership", flat=True)) == set(Ownership.values)
    assert not School.objects.filter(kind=SchoolKind.TRAINING, ownership=Ownership.PUBLIC)
    for school in School.objects.all():
        school.full_clean()  # 10-digit code, choices, lengths
        assert school.name.startswith("蕉城区") and school.principal_name and school.address
    assert LeadingGroupMember.objects.filter(school=None, role="leader").count() == 1
    assert LeadingGroupMember.objects.filter(school__isnull=False).values("school").distinct()


def test_people_have_valid_unique_identities(demo_output):
    teachers = list(Teacher.objects.all())
    students = list(Student.objects.all())
    assert len(teachers) == SMALL["teachers"] and len(students) == SMALL["students"]
    numbers = [t.id_number for t in teachers] + [s.id_number for s in students]
    assert len(set(numbers)) == len(numbers)
    for number in numbers:
        validate_id_number(number)
    for teacher in teachers:
        assert (teacher.gender == "M") == (int(teacher.id_number[16]) % 2 == 1)
    for student in students:
        validate_student_number(student.student_number)
        assert student.birth_date == birth_date_from_id(student.id_number)
        classroom = student.classroom
        assert classroom is not None and classroom.school_id == student.school_id
        # The birthday fits the grade: six on 31 August before grade one, and so on.
        age = student.age_on(datetime.date(academic_year_of(timezone.localdate()), 8, 31))
        assert age == START_AGE[classroom.grade], (student.birth_date, classroom.grade)


def test_files_are_complete(demo_output):
    for teacher in Teacher.objects.prefetch_related("postings", "degrees"):
        open_postings = [p for p in teacher.postings.all() if p.end_date is None]
        assert [p.school_id for p in open_postings] == [teacher.school_id]
        assert 1 <= len(teacher.degrees.all()) <= 2
    assert Posting.objects.filter(end_date__isnull=False).exists()
    certificates = list(Degree.objects.values_list("level", "certificate_number"))
    assert len(set(certificates)) == len(certificates)
    states = set(Degree.objects.values_list("verification_status", flat=True))
    assert {"pending", "verified", "doubtful"} <= states
    for classroom in Classroom.objects.select_related("head_teacher"):
        assert classroom.head_teacher.school_id == classroom.school_id
    assert not Classroom.objects.filter(school__kind=SchoolKind.TRAINING).exists()
    for student in Student.objects.prefetch_related("guardians", "enrolments"):
        assert 1 <= len(student.guardians.all()) <= 2
        assert [e.event for e in student.enrolments.all()] == ["entered"]


def test_demo_logins_authenticate_with_their_roles(demo_output, client):
    User = get_user_model()
    for username, role in EXPECTED_ROLES.items():
        # Through the real login form (and django-axes), not a shortcut.
        response = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
        assert client.session["_auth_user_id"] == str(User.objects.get(username=username).pk)
        client.logout()
        assert role_of(User.objects.get(username=username)) == role, username
        assert re.search(rf"^\s*{username}\s+{DEMO_PASSWORD}\s", demo_output, re.MULTILINE)
    assert User.objects.get(username="admin").is_superuser
    principal_school = school_of(User.objects.get(username="principal"))
    assert principal_school.kind in (SchoolKind.JUNIOR, SchoolKind.COMPLETE_SECONDARY)
    assert principal_school.ownership == Ownership.PUBLIC
    assert school_of(User.objects.get(username="principal2")) != principal_school

    teacher_user = User.objects.get(username="teacher")
    teacher = teacher_of(teacher_user)
    assert teacher.school == principal_school
    assert teacher.head_of_classes.exists()  # a class teacher (班主任)
    own = records_visible_to(teacher_user).filter(teacher=teacher, published_at__isnull=False)
    assert own.exists()

    inspector = User.objects.get(username="inspector")
    assert ComplaintClue.objects.filter(assigned_to=inspector, status=ClueStatus.ASSIGNED)


def test_ledger_verifies_and_every_lifecycle_state_is_present(demo_output):
    check = verify_chain()
    assert check.ok, check.problem
    assert check.checked == LedgerEntry.objects.count()
    published = CreditRecord.objects.filter(published_at__isnull=False)
    assert LedgerEntry.objects.filter(action="publish").count() == published.count()
    statuses = set(CreditRecord.objects.values_list("status", flat=True))
    assert set(RecordStatus.values) == statuses
    assert Objection.objects.filter(status=ObjectionStatus.OPEN).count() >= 3
    decided = set(Objection.objects.values_list("status", flat=True))
    assert {ObjectionStatus.REVOKED, ObjectionStatus.UPHELD, ObjectionStatus.AMENDED} <= decided
    assert CreditRecord.objects.filter(status=RecordStatus.REPAIRED).count() == 1
    assert RepairApplication.objects.filter(status=RepairStatus.PENDING).exists()
    # History spans the previous academic year and this one.
    year = academic_year_of(timezone.localdate())
    assert set(published.values_list("year", flat=True)) == {year - 1, year}


def test_results_exist_for_both_years(demo_output):
    year = academic_year_of(timezone.localdate())
    subjects = School.objects.count() + Teacher.objects.count() + Student.objects.count()
    for y in (year - 1, year):
        assert AssessmentResult.objects.filter(year_id=y).count() == subjects


def test_refuses_a_database_with_data(demo_output):
    with pytest.raises(CommandError, match="--if-empty"):
        call_command("seed_demo", stdout=StringIO(), **SMALL)
    out = StringIO()
    call_command("seed_demo", if_empty=True, stdout=out, **SMALL)
    assert "跳过" in out.getvalue()
    assert School.objects.count() == SMALL["schools"]


def test_refuses_impossible_sizes(db):
    with pytest.raises(CommandError):
        call_command("seed_demo", schools=5, teachers=3, students=10, stdout=StringIO())
    assert not School.objects.exists()


def _snapshot() -> dict:
    return {
        "schools": list(School.objects.order_by("code").values_list("code", "name", "kind")),
        "teachers": list(Teacher.objects.order_by("id_number").values_list("id_number", "name")),
        "students": list(Student.objects.order_by("student_number").values_list("name", flat=True)),
        "records": list(CreditRecord.objects.order_by("id").values_list("item__code", "narrative")),
        "logins": [],
    }


def _build_and_roll_back(seed: int) -> dict:
    with transaction.atomic():
        summary = build_demo_district(seed=seed, **SMALL)
        snapshot = _snapshot()
        snapshot["logins"] = [(x.username, x.acts_for) for x in summary.logins]
        transaction.set_rollback(True)
    assert not School.objects.exists()
    return snapshot


def test_same_seed_same_district(db):
    first = _build_and_roll_back(seed=11)
    second = _build_and_roll_back(seed=11)
    assert first == second
    other = _build_and_roll_back(seed=12)
    assert other["schools"] != first["schools"]
    assert other["teachers"] != first["teachers"]
