"""Writes about teachers that several entry points share (imports, the admin site)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from teachers.models import Degree, Posting, Teacher


@transaction.atomic
def sync_postings_and_degrees(
    *,
    id_numbers: list[str],
    previous_schools: dict[str, int | None],
    degrees: dict[str, dict],
    on: datetime.date | None = None,
) -> None:
    """After a bulk import: open a posting for every teacher whose school is new or changed
    (closing the old one), and add or update the degrees given, in a fixed number of queries."""
    on = on or timezone.localdate()
    teachers = {t.id_number: t for t in Teacher.objects.filter(id_number__in=id_numbers)}
    moved = [
        t
        for number, t in teachers.items()
        if t.school_id and previous_schools.get(number) != t.school_id
    ]
    if moved:
        Posting.objects.filter(teacher__in=moved, end_date__isnull=True).update(end_date=on)
        Posting.objects.bulk_create(
            Posting(teacher=t, school_id=t.school_id, post=t.post, start_date=on) for t in moved
        )
    if not degrees:
        return
    existing = {
        (d.level, d.certificate_number): d
        for d in Degree.objects.filter(
            certificate_number__in=[d["certificate_number"] for d in degrees.values()]
        )
    }
    create, update = [], []
    for number, values in degrees.items():
        teacher = teachers[number]
        degree = existing.get((values["level"], values["certificate_number"]))
        if degree is None:
            create.append(Degree(teacher=teacher, **values))
            continue
        if degree.teacher_id != teacher.pk:
            raise ValidationError(
                _("学历证书编号%(number)s已登记在其他教师名下")
                % {"number": values["certificate_number"]}
            )
        for name, value in values.items():
            setattr(degree, name, value)
        update.append(degree)
    Degree.objects.bulk_create(create)
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
