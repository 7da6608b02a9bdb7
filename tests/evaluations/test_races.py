"""Two members of staff doing the same thing at the same moment: exactly one succeeds, nothing
is lost or doubled. Threads with their own connections, against PostgreSQL's row locks."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from credit_registry.common.years import academic_year_of
from evaluations.disputes import services as dispute_services
from evaluations.models import CreditRecord, LedgerEntry, Objection, RecordStatus
from evaluations.records import services as record_services
from evaluations.records.ledger import verify_chain
from tests import factories

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row-level locking needs PostgreSQL"
    ),
]


def race(action, times: int = 2) -> tuple[list, list]:
    """Run ``action`` in ``times`` threads released at once; collect results and errors."""
    barrier = threading.Barrier(times)
    results, errors = [], []
    lock = threading.Lock()

    def run():
        try:
            barrier.wait()
            outcome = action()
            with lock:
                results.append(outcome)
        except ValidationError as error:
            with lock:
                errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def test_two_staff_deciding_the_same_objection():
    bureau_a = factories.make_user("bureau_a", role=factories.Role.BUREAU_ADMIN)
    bureau_b = factories.make_user("bureau_b", role=factories.Role.BUREAU_ADMIN)
    teacher = factories.make_teacher(factories.make_school())
    record = factories.make_record(teacher, "T-PAID-TUTORING", by=bureau_a)
    objection = dispute_services.file_objection(record=record, by=teacher.user, reason="x")
    users = iter([bureau_a, bureau_b])
    outcomes = iter(["upheld", "revoked"])

    def decide():
        return dispute_services.decide_objection(
            objection=objection, by=next(users), outcome=next(outcomes), reason="决定"
        )

    results, errors = race(decide)
    assert len(results) == 1 and len(errors) == 1
    assert errors[0].code == "already_decided"
    objection.refresh_from_db()
    record.refresh_from_db()
    assert objection.status == results[0].status
    expected = RecordStatus.PUBLISHED if objection.status == "upheld" else RecordStatus.REVOKED
    assert record.status == expected
    assert LedgerEntry.objects.filter(record=record).count() == 3  # publish, object, decision
    assert verify_chain().ok


def test_two_staff_approving_and_publishing_the_same_record():
    bureau = factories.make_user("bureau", role=factories.Role.BUREAU_ADMIN)
    teacher = factories.make_teacher(factories.make_school())
    record = factories.make_record(teacher, "T-PAID-TUTORING", by=bureau, status="submitted")

    results, errors = race(lambda: record_services.approve_record(record=record, by=bureau))
    assert (len(results), len(errors)) == (1, 1)
    results, errors = race(lambda: record_services.publish_record(record=record, by=bureau))
    assert (len(results), len(errors)) == (1, 1)
    assert LedgerEntry.objects.filter(record=record).count() == 1
    assert CreditRecord.objects.get(pk=record.pk).status == RecordStatus.PUBLISHED


def test_many_publications_at_once_keep_one_unbroken_chain():
    bureau = factories.make_user("bureau", role=factories.Role.BUREAU_ADMIN)
    school = factories.make_school()
    records = [
        factories.make_record(
            factories.make_teacher(school, f"T{i}"), "T-GIFTS", by=bureau, status="approved"
        )
        for i in range(6)
    ]
    pending = iter(records)
    lock = threading.Lock()

    def publish_next():
        with lock:
            record = next(pending)
        return record_services.publish_record(record=record, by=bureau)

    results, errors = race(publish_next, times=6)
    assert (len(results), errors) == (6, [])
    check = verify_chain()
    assert check.ok and check.checked == 6
    assert not Objection.objects.exists()


def test_one_pledge_slip_acknowledged_twice_at_once():
    from django.utils import timezone

    from students.models import PledgeSlip
    from students.services import acknowledge_pledge, issue_pledge

    school = factories.make_school()
    principal = factories.make_principal(school)
    classroom = factories.make_classroom(school)
    factories.make_student(school, classroom)
    pledge = issue_pledge(
        by=principal,
        classroom=classroom,
        kind="yearly",
        year=academic_year_of(timezone.localdate()),
    )
    slip = pledge.slips.get()
    results, errors = race(lambda: acknowledge_pledge(code=slip.code, who="parent"), times=4)
    assert len(results) == 1 and len(errors) == 3
    assert all(e.code == "already_acknowledged" for e in errors)
    assert PledgeSlip.objects.get(pk=slip.pk).acknowledged_by == "parent"
