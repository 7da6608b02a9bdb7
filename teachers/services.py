"""Writes about teachers that several entry points share (imports, the admin site)."""

import datetime
from collections.abc import Collection, Sequence

from django.db import transaction
from django.utils import timezone

from credit_registry.common.bulk import insert_rows
from teachers.models import Degree, Posting, Teacher


@transaction.atomic
def record_imported_postings(
    *,
    teachers: Sequence[tuple[int, int, str]],
    moved: Collection[int] = (),
    on: datetime.date | None = None,
) -> None:
    """After a bulk import: a posting opened today for each (teacher id, school id, post)
    given, the open posting of each teacher in ``moved`` (who changed school) closed first; in
    two or three queries whatever the file's size."""
    on = on or timezone.localdate()
    if moved:
        Posting.objects.filter(teacher_id__in=moved, end_date__isnull=True).update(end_date=on)
    insert_rows(
        Posting,
        (
            {"teacher_id": teacher, "school_id": school, "post": post, "start_date": on}
            for teacher, school, post in teachers
        ),
        ids=False,
    )


DEGREE_FIELDS = ("level", "institution", "major", "graduated_on", "certificate_number")


def record_imported_degrees(*, degrees: dict[int, dict]) -> None:
    """After a bulk import: each teacher's degree given (by teacher id) added, or corrected
    when the teacher already has it (same level and certificate number)."""
    if not degrees:
        return
    existing = {
        (d.teacher_id, d.level, d.certificate_number): d
        for d in Degree.objects.filter(
            certificate_number__in=[values["certificate_number"] for values in degrees.values()]
        )
    }
    create, update = [], []
    for teacher, values in degrees.items():
        degree = existing.get((teacher, values["level"], values["certificate_number"]))
        if degree is None:
            create.append({"teacher_id": teacher, **values})
        elif any(getattr(degree, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(degree, name, value)
            update.append(degree)
    insert_rows(Degree, create, ids=False)
    Degree.objects.bulk_update(update, ["institution", "major", "graduated_on"])


@transaction.atomic
def post_teacher(*, teacher: Teacher, school, on: datetime.date | None = None) -> Teacher:
    """Move a teacher to ``school`` (or to none): the open posting ends, a new one starts, and
    the school's principal sees the teacher from now on."""
    on = on or timezone.localdate()
    teacher = Teacher.objects.select_for_update().get(pk=teacher.pk)
    new_school_id = school.pk if school is not None else None
    if teacher.school_id == new_school_id:
        return teacher
    Posting.objects.filter(teacher=teacher, end_date__isnull=True).update(end_date=on)
    if school is not None:
        Posting.objects.create(teacher=teacher, school=school, post=teacher.post, start_date=on)
    teacher.school = school
    teacher.save(update_fields=["school"])
    return teacher
