"""The record lifecycle: each allowed step, each forbidden step, and the append-only rule."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from evaluations.clues import services as clue_services
from evaluations.disputes import services as dispute_services
from evaluations.models import (
    CreditRecord,
    LedgerAction,
    LedgerEntry,
    ObjectionStatus,
    PublishedRecordError,
    RecordStatus,
)
from evaluations.records import services as record_services
from tests import factories


def test_principal_proposes_and_bureau_approves_and_publishes(bureau, principal, teacher):
    record = record_services.propose_record(
        by=principal,
        subject=teacher,
        item=factories.item("T-PAID-TUTORING"),
        occurred_on=timezone.localdate() - datetime.timedelta(days=2),
        narrative="家长反映暑期有偿补课，经核实属实。",
    )
    assert record.status == RecordStatus.SUBMITTED
    assert record.points == factories.item("T-PAID-TUTORING").default_points
    assert record.recorded_by == principal

    record = record_services.approve_record(record=record, by=bureau)
    assert (record.status, record.approved_by) == (RecordStatus.APPROVED, bureau)
    assert not LedgerEntry.objects.exists()

    record = record_services.publish_record(record=record, by=bureau)
    assert record.status == RecordStatus.PUBLISHED
    assert record.published_at is not None
    entry = LedgerEntry.objects.get()
    assert (entry.record, entry.action, entry.actor) == (record, LedgerAction.PUBLISH, bureau)
    # the subject is told, and the objection window starts
    assert teacher.user.notices.filter(title__contains="有偿补课").exists()


def test_draft_can_be_edited_submitted_returned_and_resubmitted(bureau, principal, teacher):
    record = record_services.propose_record(
        by=principal,
        subject=teacher,
        item=factories.item("T-GIFTS"),
        occurred_on=timezone.localdate(),
        narrative="收受家长购物卡。",
        submit=False,
    )
    assert record.status == RecordStatus.DRAFT
    record.narrative = "收受家长购物卡一张（500元）。"
    record.save()
    record = record_services.submit_record(record=record, by=principal)
    record = record_services.return_record(record=record, by=bureau, reason="请补充证据")
    assert (record.status, record.returned_reason) == (RecordStatus.RETURNED, "请补充证据")
    record = record_services.submit_record(record=record, by=principal)
    assert record.status == RecordStatus.SUBMITTED
    with pytest.raises(ValidationError):
        record_services.delete_draft(record=record, by=principal)


@pytest.mark.parametrize("step", ["approve", "publish"])
def test_only_bureau_may_approve_or_publish(step, principal, teacher, bureau):
    record = factories.make_record(
        teacher, "T-PAID-TUTORING", by=bureau, status=RecordStatus.SUBMITTED
    )
    if step == "publish":
        record = record_services.approve_record(record=record, by=bureau)
    service = getattr(record_services, f"{step}_record")
    for user in (principal, teacher.user, factories.make_user(role=factories.Role.INSPECTOR)):
        with pytest.raises(PermissionDenied):
            service(record=record, by=user)
    record.refresh_from_db()
    assert record.published_at is None


def test_publishing_needs_approval_first(bureau, teacher):
    record = factories.make_record(
        teacher, "T-PAID-TUTORING", by=bureau, status=RecordStatus.SUBMITTED
    )
    with pytest.raises(ValidationError) as error:
        record_services.publish_record(record=record, by=bureau)
    assert error.value.code == "wrong_state"
    published = factories.make_record(teacher, "T-GIFTS", by=bureau)
    with pytest.raises(ValidationError):
        record_services.approve_record(record=published, by=bureau)
    with pytest.raises(ValidationError):
        record_services.publish_record(record=published, by=bureau)
    assert LedgerEntry.objects.filter(record=published).count() == 1


def test_principal_cannot_propose_for_another_schools_teacher(principal, other_school):
    stranger = factories.make_teacher(other_school, "外校老师")
    with pytest.raises(PermissionDenied):
        record_services.propose_record(
            by=principal,
            subject=stranger,
            item=factories.item("T-PAID-TUTORING"),
            occurred_on=timezone.localdate(),
            narrative="x",
        )


def test_teacher_cannot_propose_about_a_colleague(teacher, other_teacher):
    with pytest.raises(PermissionDenied):
        record_services.propose_record(
            by=teacher.user,
            subject=other_teacher,
            item=factories.item("T-PAID-TUTORING"),
            occurred_on=timezone.localdate(),
            narrative="x",
        )


def test_item_must_fit_the_subject_and_changed_points_need_a_reason(bureau, teacher):
    with pytest.raises(ValidationError) as error:
        factories.make_record(teacher, "S-ARBITRARY-FEES", by=bureau)
    assert error.value.code == "item_kind"
    with pytest.raises(ValidationError) as error:
        factories.make_record(teacher, "T-PAID-TUTORING", by=bureau, points=-5)
    assert error.value.code == "points_reason_required"
    record = factories.make_record(
        teacher, "T-PAID-TUTORING", by=bureau, points=-5, points_reason="情节轻微，主动退还"
    )
    assert record.points == -5


# --- published records are append-only ---------------------------------------------------------


def test_published_record_cannot_be_edited_through_the_model(bureau, teacher):
    record = factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    record.points = -1
    with pytest.raises(PublishedRecordError):
        record.save()
    fresh = CreditRecord.objects.get(pk=record.pk)
    fresh.narrative = "改写"
    with pytest.raises(PublishedRecordError):
        fresh.save()
    assert CreditRecord.objects.get(pk=record.pk).points == -10


def test_published_record_cannot_be_bulk_updated_or_deleted(bureau, teacher):
    record = factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    with pytest.raises(PublishedRecordError):
        CreditRecord.objects.filter(pk=record.pk).update(points=0)
    with pytest.raises(PublishedRecordError):
        CreditRecord.objects.filter(pk=record.pk).delete()
    with pytest.raises(PublishedRecordError):
        record.delete()
    assert CreditRecord.objects.filter(pk=record.pk, points=-10).exists()


def test_database_refuses_raw_sql_changes_to_a_published_record(bureau, teacher):
    record = factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    table = CreditRecord._meta.db_table
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET points = 0 WHERE id = %s", [record.pk])
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [record.pk])


@pytest.mark.parametrize("column", ["deciding_office", "document_number"])
def test_the_decision_a_record_cites_is_frozen_and_chained(bureau, teacher, column):
    record = record_services.propose_record(
        by=bureau,
        subject=teacher,
        item=factories.item("T-ETHICS-COMMENDATION"),
        occurred_on=factories.TODAY,
        narrative="表彰决定。",
        deciding_office="蕉城区教育局",
        document_number="蕉教〔2026〕8号",
    )
    record = record_services.publish_record(
        record=record_services.approve_record(record=record, by=bureau), by=bureau
    )
    link = record.ledger.get(action="publish")
    assert link.payload["record"][column] == getattr(record, column)
    table = CreditRecord._meta.db_table
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = 'x' WHERE id = %s", [record.pk])


def test_database_refuses_changes_to_ledger_entries(bureau, teacher):
    factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    table = LedgerEntry._meta.db_table
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET reason = 'x'")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")


def test_unpublished_record_may_be_deleted_by_its_author(bureau, principal, teacher):
    record = factories.make_record(
        teacher, "T-PAID-TUTORING", by=principal, status=RecordStatus.DRAFT
    )
    record_services.delete_draft(record=record, by=principal)
    assert not CreditRecord.objects.filter(pk=record.pk).exists()


# --- objections ---------------------------------------------------------------------------------


def test_subject_objects_within_15_days_and_bureau_upholds(bureau, teacher):
    record = factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    objection = dispute_services.file_objection(
        record=record, by=teacher.user, reason="当天在外地培训"
    )
    record.refresh_from_db()
    assert record.status == RecordStatus.UNDER_OBJECTION
    assert objection.due_on > timezone.localdate()
    dispute_services.decide_objection(
        objection=objection, by=bureau, outcome="upheld", reason="有监控为证"
    )
    record.refresh_from_db()
    assert record.status == RecordStatus.PUBLISHED
    actions = list(record.ledger.values_list("action", flat=True))
    assert actions == [LedgerAction.PUBLISH, LedgerAction.OBJECT, LedgerAction.UPHOLD]


def test_objection_after_15_days_is_refused(bureau, teacher, monkeypatch):
    record = factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    later = record.published_at + datetime.timedelta(days=16)
    monkeypatch.setattr(timezone, "now", lambda: later)
    with pytest.raises(ValidationError) as error:
        dispute_services.file_objection(record=record, by=teacher.user, reason="不服")
    assert error.value.code == "objection_window"


def test_only_the_subject_or_their_school_may_object(bureau, teacher, other_teacher, principal):
    record = factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    with pytest.raises(PermissionDenied):
        dispute_services.file_objection(record=record, by=other_teacher.user, reason="x")
    student = factories.make_student(teacher.school)
    pupil_record = factories.make_record(student, "ST-COPYING-HOMEWORK", by=bureau)
    dispute_services.file_objection(record=pupil_record, by=principal, reason="系误会")


def test_revocation_is_a_new_entry_and_the_record_stays(bureau, teacher):
    record = factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    objection = dispute_services.file_objection(record=record, by=teacher.user, reason="认定错误")
    dispute_services.decide_objection(
        objection=objection, by=bureau, outcome="revoked", reason="认定对象错误"
    )
    record.refresh_from_db()
    assert record.status == RecordStatus.REVOKED
    assert record.points == -10  # content untouched
    revoke = record.ledger.get(action=LedgerAction.REVOKE)
    assert (revoke.actor, revoke.reason) == (bureau, "认定对象错误")


def test_amendment_is_a_new_published_record_pointing_at_the_original(bureau, teacher):
    record = factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    objection = dispute_services.file_objection(record=record, by=teacher.user, reason="只补课一次")
    dispute_services.decide_objection(
        objection=objection, by=bureau, outcome="amended", reason="情节较轻，改为扣5分", points=-5
    )
    record.refresh_from_db()
    amendment = record.amendments.get()
    assert record.status == RecordStatus.AMENDED
    assert (amendment.status, amendment.points, amendment.amends) == (
        RecordStatus.PUBLISHED,
        -5,
        record,
    )
    assert amendment.teacher == teacher
    assert amendment.ledger.filter(action=LedgerAction.PUBLISH).exists()
    assert (
        record.ledger.filter(action=LedgerAction.AMEND).get().payload["amended_by_record"]
        == amendment.pk
    )


def test_an_objection_is_decided_once(bureau, teacher):
    record = factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    objection = dispute_services.file_objection(record=record, by=teacher.user, reason="x")
    dispute_services.decide_objection(
        objection=objection, by=bureau, outcome="upheld", reason="维持"
    )
    with pytest.raises(ValidationError) as error:
        dispute_services.decide_objection(
            objection=objection, by=bureau, outcome="revoked", reason="撤销"
        )
    assert error.value.code == "already_decided"
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.UPHELD


def test_objection_deadline_counts_official_working_days(db):
    from credit_registry.calendar import add_working_days

    # National Day 2025 (seeded from the maintained library): 1–8 October off, Sunday 28
    # September and Saturday 11 October adjusted working days (调休).
    assert add_working_days(datetime.date(2025, 9, 30), 1) == (datetime.date(2025, 10, 9), False)
    assert add_working_days(datetime.date(2025, 10, 10), 1) == (datetime.date(2025, 10, 11), False)
    # from Friday 26 Sep: Sun 28 (调休), 29, 30, 9 Oct, 10, Sat 11 (调休), 13, 14, 15, 16
    assert add_working_days(datetime.date(2025, 9, 26), 10) == (datetime.date(2025, 10, 16), False)


def test_overdue_objections_are_flagged(bureau, teacher):
    from evaluations.disputes.selectors import overdue_objections

    record = factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    objection = dispute_services.file_objection(record=record, by=teacher.user, reason="x")
    assert not objection.is_overdue(timezone.localdate())
    after = objection.due_on + datetime.timedelta(days=1)
    assert objection.is_overdue(after)
    assert list(overdue_objections(after)) == [objection]


# --- repair -------------------------------------------------------------------------------------


def test_repair_only_after_the_minimum_period_and_it_stops_counting(bureau, teacher, monkeypatch):
    record = factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    with pytest.raises(ValidationError) as error:
        dispute_services.apply_for_repair(
            record=record, by=teacher.user, proof_kind="training", proof="参加培训"
        )
    assert error.value.code == "repair_too_early"
    later = record.published_at + datetime.timedelta(days=record.item.repair_min_days + 1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    application = dispute_services.apply_for_repair(
        record=record, by=teacher.user, proof_kind="commitment", proof="已签署信用承诺书"
    )
    dispute_services.decide_repair(
        application=application, by=bureau, approve=True, reason="整改到位"
    )
    record.refresh_from_db()
    assert record.status == RecordStatus.REPAIRED
    assert not record.counts
    assert CreditRecord.objects.filter(pk=record.pk).exists()
    assert record.ledger.filter(action=LedgerAction.REPAIR).exists()


def test_refused_repair_leaves_the_record_counting(bureau, teacher, monkeypatch):
    record = factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    later = record.published_at + datetime.timedelta(days=400)
    monkeypatch.setattr(timezone, "now", lambda: later)
    application = dispute_services.apply_for_repair(
        record=record, by=teacher.user, proof_kind="training", proof="x"
    )
    dispute_services.decide_repair(
        application=application, by=bureau, approve=False, reason="证明不足"
    )
    record.refresh_from_db()
    assert record.status == RecordStatus.PUBLISHED


# --- evidence and clues -------------------------------------------------------------------------


def test_evidence_type_and_size_are_checked(bureau, teacher, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    record = factories.make_record(
        teacher, "T-PAID-TUTORING", by=bureau, status=RecordStatus.SUBMITTED
    )
    pdf = SimpleUploadedFile("收据.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
    evidence = record_services.attach_evidence(record=record, by=bureau, uploaded_file=pdf)
    assert evidence.content_type == "application/pdf" and evidence.size == 17
    assert not evidence.file.url.startswith("/static") and str(tmp_path) in evidence.file.path
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    with pytest.raises(ValidationError) as error:
        record_services.attach_evidence(record=record, by=bureau, uploaded_file=fake)
    assert error.value.code == "file_type"
    huge = SimpleUploadedFile(
        "big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), content_type="application/pdf"
    )
    with pytest.raises(ValidationError) as error:
        record_services.attach_evidence(record=record, by=bureau, uploaded_file=huge)
    assert error.value.code == "too_large"


def test_complaint_clue_from_intake_to_proposed_record(bureau, inspector, teacher):
    from evaluations.models import ClueStatus

    clue = clue_services.receive_clue(
        channel="public", subject_description="王老师", content="周末在家有偿补课", teacher=teacher
    )
    with pytest.raises(PermissionDenied):
        clue_services.add_clue_note(clue=clue, by=inspector, text="x")
    clue_services.assign_clue(clue=clue, inspector=inspector, by=bureau)
    clue_services.add_clue_note(clue=clue, by=inspector, text="暗访核实：确有补课")
    clue = clue_services.close_clue(
        clue=clue,
        by=inspector,
        substantiated=True,
        conclusion="经明察暗访，反映属实。",
        item=factories.item("T-PAID-TUTORING"),
        occurred_on=timezone.localdate(),
    )
    assert clue.status == ClueStatus.SUBSTANTIATED
    assert clue.proposed_record.status == RecordStatus.SUBMITTED
    assert clue.proposed_record.teacher == teacher
    assert clue.proposed_record.source == "complaint"


def test_unsubstantiated_clue_closes_without_a_record(bureau, inspector, teacher):
    clue = clue_services.receive_clue(
        channel="hotline", subject_description="某老师", content="体罚", teacher=teacher
    )
    clue_services.assign_clue(clue=clue, inspector=inspector, by=bureau)
    clue = clue_services.close_clue(
        clue=clue, by=inspector, substantiated=False, conclusion="查无实据"
    )
    assert clue.proposed_record is None
    assert not CreditRecord.objects.exists()
