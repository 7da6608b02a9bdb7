"""The district builder at a small scale: the same data through COPY (PostgreSQL) or bulk writes
(SQLite), a chain that verifies, and the tables' keys and indexes back after the load."""

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from credit_registry.common.bulk import copy_create, loading
from evaluations.models import CreditRecord, LedgerEntry
from evaluations.records.ledger import verify_chain
from schools.models import School
from students.models import Student
from teachers.models import Posting, Teacher
from tests import factories


def _keys_and_indexes(*tables) -> set[str]:
    if connection.vendor != "postgresql":
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid::regclass::text = ANY(%s) "
            "UNION SELECT indexrelid::regclass::text FROM pg_index "
            "WHERE indrelid::regclass::text = ANY(%s)",
            [list(tables), list(tables)],
        )
        return {name for (name,) in cursor.fetchall()}


def test_a_small_district_has_its_history_chained_and_its_constraints_back(db, capsys):
    tables = (CreditRecord._meta.db_table, LedgerEntry._meta.db_table)
    before = _keys_and_indexes(*tables)
    call_command("seed_district", "--scale", "0.01", "--years", "2")
    assert School.objects.count() == 2 and Student.objects.count() == 1200
    assert CreditRecord.objects.count() == 10_000
    check = verify_chain()
    assert check.ok and check.checked == LedgerEntry.objects.count()
    assert _keys_and_indexes(*tables) == before
    assert "10,000 records in" in capsys.readouterr().out


def test_copy_create_leaves_objects_as_bulk_create_does(db):
    school = factories.make_school()
    teachers = [
        Teacher(name=f"教师{n}", gender="F", id_number=factories.valid_id_number(), school=school)
        for n in range(3)
    ]
    postings = [
        Posting(teacher=t, school=school, post="专任教师", start_date="2020-09-01")
        for t in teachers
    ]
    copy_create(Teacher, teachers)
    copy_create(Posting, postings)  # built before their teachers had ids
    assert all(t.pk and not t._state.adding for t in teachers)
    stored = {p.teacher_id for p in Posting.objects.filter(school=school)}
    assert stored == {t.pk for t in teachers}


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_a_duplicate_loaded_without_the_unique_index_fails_the_load(db, bureau, teacher):
    record = factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    link = record.ledger.get()
    with pytest.raises(IntegrityError), transaction.atomic(), loading(LedgerEntry):
        copy_create(
            LedgerEntry,
            [
                LedgerEntry(
                    record=record,
                    action="publish",
                    record_status=record.status,
                    actor=bureau,
                    at=link.at,
                    payload=link.payload,
                    prev_hash=link.hash,
                    hash=link.hash,  # the same hash again
                )
            ],
        )
    assert LedgerEntry.objects.filter(hash=link.hash).count() == 1
    assert "evaluations_ledgerentry_hash_key" in _keys_and_indexes(LedgerEntry._meta.db_table)
