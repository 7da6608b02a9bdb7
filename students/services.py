"""Writes about students that several entry points share (imports, portals, the admin site)."""

import datetime

from django.db import transaction
from django.utils import timezone

from students.models import Classroom, Enrolment, EnrolmentEvent, Guardian, Student

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


@transaction.atomic
def record_imported_students(
    *,
    student_numbers: list[str],
    guardians: dict[str, tuple[str, str, str]],
    on: datetime.date | None = None,
) -> None:
    """After a bulk import: record the entry (入学) of students seen for the first time and set
    the guardian given in the file, in a fixed number of queries whatever the file's size."""
    on = on or timezone.localdate()
    students = dict(
        Student.objects.filter(student_number__in=student_numbers).values_list(
            "student_number", "pk"
        )
    )
    placed = Student.objects.filter(pk__in=students.values()).values_list(
        "pk", "school_id", "classroom_id"
    )
    entered = set(
        Enrolment.objects.filter(student_id__in=students.values()).values_list(
            "student_id", flat=True
        )
    )
    Enrolment.objects.bulk_create(
        (
            Enrolment(
                student_id=pk,
                school_id=school,
                classroom_id=classroom,
                event=EnrolmentEvent.ENTERED,
                date=on,
                note="批量导入",
            )
            for pk, school, classroom in placed
            if pk not in entered
        ),
        batch_size=2000,
    )
    if guardians:
        ids = [students[number] for number in guardians]
        Guardian.objects.filter(student_id__in=ids).delete()
        Guardian.objects.bulk_create(
            (
                Guardian(
                    student_id=students[number],
                    name=name,
                    relation=relation or "监护人",
                    phone=phone,
                )
                for number, (name, relation, phone) in guardians.items()
            ),
            batch_size=2000,
        )
