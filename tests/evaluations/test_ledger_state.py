"""The ledger vouches for a published record's state as well as its content: a state change
without its link is refused by the model, the queryset and the database, and one forced past them
is named by ``verify_ledger``. The tier a record was published with stays with it."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from evaluations.assessment import lists as selectors
from evaluations.disputes import services as dispute_services
from evaluations.models import CatalogItem, CreditRecord, PublishedRecordError, RecordStatus
from evaluations.records import services as record_services
from evaluations.records.ledger import verify_chain
from tests import factories


def test_queryset_update_of_a_published_records_status_is_refused(bureau, teacher):
    record = factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    with pytest.raises(PublishedRecordError):
        CreditRecord.objects.filter(pk=record.pk).update(status=RecordStatus.REVOKED)
    record.refresh_from_db()
    assert record.status == RecordStatus.PUBLISHED


def test_model_save_of_a_new_state_without_its_link_is_refused(bureau, teacher):
    record = factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    record.status = RecordStatus.REPAIRED
    with pytest.raises(PublishedRecordError):
        record.save()
    assert CreditRecord.objects.get(pk=record.pk).status == RecordStatus.PUBLISHED


@pytest.mark.parametrize("state", [RecordStatus.REVOKED, RecordStatus.REPAIRED])
def test_database_refuses_a_raw_state_change_without_a_ledger_entry(bureau, teacher, state):
    record = factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    table = CreditRecord._meta.db_table
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET status = %s WHERE id = %s", [state, record.pk])
    assert CreditRecord.objects.get(pk=record.pk).status == RecordStatus.PUBLISHED
    assert verify_chain().ok


def test_database_refuses_publishing_without_a_ledger_entry(bureau, teacher):
    record = factories.make_record(teacher, "T-PAID-TUTORING", by=bureau, status="approved")
    table = CreditRecord._meta.db_table
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = 'published', published_at = %s WHERE id = %s",
            [timezone.now(), record.pk],
        )


def _without_record_triggers(cursor) -> None:
    """What someone with the database owner's rights could do: switch the guards off."""
    table = CreditRecord._meta.db_table
    if connection.vendor == "postgresql":
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    else:
        cursor.execute("DROP TRIGGER evaluations_guard_record_state")


def test_verify_ledger_names_a_state_forced_with_the_triggers_off(bureau, teacher, capsys):
    kept = factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    forced = factories.make_record(teacher, "T-GIFTS", by=bureau)
    with connection.cursor() as cursor:
        _without_record_triggers(cursor)
        cursor.execute(
            f"UPDATE {CreditRecord._meta.db_table} SET status = 'revoked' WHERE id = %s",
            [forced.pk],
        )

    check = verify_chain()
    assert not check.ok
    assert [(m.record_id, m.expected, m.stored) for m in check.mismatches] == [
        (forced.pk, "published", "revoked")
    ]
    with pytest.raises(CommandError):
        call_command("verify_ledger")
    err = capsys.readouterr().err
    assert f"#{forced.pk}" in err and "published" in err and "revoked" in err
    assert f"#{kept.pk}" not in err


def test_verify_ledger_names_a_published_record_that_has_no_link(bureau, teacher):
    record = factories.make_record(teacher, "T-PAID-TUTORING", by=bureau, status="approved")
    with connection.cursor() as cursor:
        _without_record_triggers(cursor)
        cursor.execute(
            f"UPDATE {CreditRecord._meta.db_table} SET status = 'published', published_at = %s "
            "WHERE id = %s",
            [timezone.now(), record.pk],
        )
    check = verify_chain()
    assert [(m.record_id, m.expected, m.stored) for m in check.mismatches] == [
        (record.pk, None, "published")
    ]


def test_every_state_the_services_reach_agrees_with_the_ledger(bureau, principal, teacher):
    record = factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    objection = dispute_services.file_objection(record=record, by=teacher.user, reason="事实有误")
    dispute_services.decide_objection(
        objection=objection, by=bureau, outcome="amended", reason="核减", points=-5
    )
    other = factories.make_record(teacher, "T-GIFTS", by=bureau)
    objection = dispute_services.file_objection(record=other, by=teacher.user, reason="有误")
    dispute_services.decide_objection(
        objection=objection, by=bureau, outcome="revoked", reason="不实"
    )
    check = verify_chain()
    assert check.ok, check
    states = dict(CreditRecord.objects.values_list("pk", "status"))
    assert states[record.pk] == RecordStatus.AMENDED
    assert states[other.pk] == RecordStatus.REVOKED


def test_a_catalog_edit_does_not_move_published_records(bureau, school):
    record = factories.make_record(school, "S-ARBITRARY-FEES", by=bureau)
    disclosed_until, repairable_from = record.disclosed_until, record.repairable_from
    on_list_before = selectors.black_list_records().filter(pk=record.pk).exists()

    item = CatalogItem.objects.get(code="S-ARBITRARY-FEES")
    item.severity = "minor" if item.severity == "severe" else "severe"
    item.disclosure_days += 400
    item.repair_min_days += 400
    item.save()

    record = CreditRecord.objects.get(pk=record.pk)
    assert (record.disclosure_ends_on(), record.repair_possible_from()) == (
        disclosed_until,
        repairable_from,
    )
    assert selectors.black_list_records().filter(pk=record.pk).exists() == on_list_before
    # A record published after the edit takes the new tier.
    later = factories.make_record(school, "S-ARBITRARY-FEES", by=bureau)
    assert later.severity == item.severity
    assert later.disclosed_until == timezone.localdate() + datetime.timedelta(
        days=item.disclosure_days
    )


def test_submission_and_return_record_who_and_when(bureau, principal, teacher):
    record = factories.make_record(teacher, "T-PAID-TUTORING", by=principal, status="submitted")
    assert (record.submitted_by, record.submitted_at is not None) == (principal, True)
    record = record_services.return_record(record=record, by=bureau, reason="请补充证据")
    assert record.returned_by == bureau
    assert record.returned_at is not None
    record = record_services.submit_record(record=record, by=principal)
    record.refresh_from_db()
    assert record.submitted_by == principal and record.returned_by == bureau
