"""Writes about students that several entry points share (imports, portals, the admin site)."""

import datetime

from django.db import transaction
from django.utils import timezone

from students.models import Classroom, Enrolment, EnrolmentEvent, Guardian, Student


@transaction.atomic
def place_imported_students(
    *,
    placements: dict[str, tuple[int, str, str, int]],
    guardians: dict[str, tuple[str, str, str]],
    on: datetime.date | None = None,
) -> None:
    """After a bulk import: put each student in their class (creating classes the school does
    not have yet), record the entry of new students, and set their guardian — in a fixed number
    of queries whatever the file's size."""
    on = on or timezone.localdate()
    students = {
        s.student_number: s
        for s in Student.objects.filter(student_number__in=list(placements) + list(guardians))
    }
    wanted = {(school, year, name): grade for school, grade, name, year in placements.values()}
    classes = {
        (c.school_id, c.entry_year, c.name): c
        for c in Classroom.objects.filter(school_id__in={k[0] for k in wanted})
    }
    missing = [
        Classroom(school_id=school, entry_year=year, name=name, grade=grade)
        for (school, year, name), grade in wanted.items()
        if (school, year, name) not in classes
    ]
    Classroom.objects.bulk_create(missing)
    if missing:
        classes = {
            (c.school_id, c.entry_year, c.name): c
            for c in Classroom.objects.filter(school_id__in={k[0] for k in wanted})
        }
    entered = set(
        Enrolment.objects.filter(student__in=students.values()).values_list("student_id", flat=True)
    )
    moved, enrolments = [], []
    for number, (school, _grade, name, year) in placements.items():
        student = students[number]
        classroom = classes[(school, year, name)]
        if student.classroom_id != classroom.pk:
            student.classroom = classroom
            moved.append(student)
        if student.pk not in entered:
            enrolments.append(
                Enrolment(
                    student=student,
                    school_id=school,
                    classroom=classroom,
                    event=EnrolmentEvent.ENTERED,
                    date=on,
                    note="批量导入",
                )
            )
    Student.objects.bulk_update(moved, ["classroom"], batch_size=1000)
    Enrolment.objects.bulk_create(enrolments, batch_size=1000)
    if guardians:
        with_guardian = [students[n] for n in guardians]
        Guardian.objects.filter(student__in=with_guardian).delete()
        Guardian.objects.bulk_create(
            (
                Guardian(student=students[n], name=name, relation=relation or "监护人", phone=phone)
                for n, (name, relation, phone) in guardians.items()
            ),
            batch_size=1000,
        )
