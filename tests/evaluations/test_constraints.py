import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from evaluations.models import CreditRecord
from tests import factories


def _row(bureau, **subjects):
    return CreditRecord(
        item=factories.item("T-PAID-TUTORING"),
        points=-10,
        occurred_on=timezone.localdate(),
        year=2025,
        source="routine",
        narrative="x",
        recorded_by=bureau,
        recorded_at=timezone.now(),
        **subjects,
    )


@pytest.mark.django_db
def test_record_without_subject_is_rejected_by_the_database(bureau):
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(bureau).save()


@pytest.mark.django_db
def test_record_with_two_subjects_is_rejected_by_the_database(bureau, school, teacher):
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(bureau, school=school, teacher=teacher).save()
    student = factories.make_student(school)
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditRecord.objects.bulk_create([_row(bureau, teacher=teacher, student=student)])


@pytest.mark.django_db
def test_record_with_exactly_one_subject_is_stored(bureau, teacher):
    _row(bureau, teacher=teacher).save()
    assert CreditRecord.objects.filter(teacher=teacher).count() == 1
