"""Objections (异议) and credit repair (信用修复): the subject asks, the bureau decides. Every
decision that changes a published record moves it with its ledger link."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from credit_registry import calendar, rules
from credit_registry.common.uploads import check_uploads
from evaluations.assessment.scoring import recompute_subjects
from evaluations.models import (
    FILES_PER_DISPUTE,
    CatalogItem,
    CreditRecord,
    LedgerAction,
    Objection,
    ObjectionEvidence,
    ObjectionStatus,
    RecordStatus,
    RepairApplication,
    RepairEvidence,
    RepairStatus,
)
from evaluations.records.ledger import move_record, publish
from evaluations.records.services import check_points, lock_record, notify_subject

OBJECTION_DECISION_WORKING_DAYS = 10


@transaction.atomic
def file_objection(*, record: CreditRecord, by, reason: str, files=()) -> Objection:
    """The subject (the school, for a student) objects within 15 days of publication, with up
    to three files of evidence; a refused file leaves no objection behind."""
    record = lock_record(record)
    now = timezone.now()
    rules.may_object(by, record, today=timezone.localdate(now)).enforce()
    if not reason.strip():
        raise ValidationError(_("请填写异议理由"))
    checked = check_uploads(files, most=FILES_PER_DISPUTE)
    due_on, provisional = calendar.add_working_days(
        timezone.localdate(now), OBJECTION_DECISION_WORKING_DAYS
    )
    objection = Objection.objects.create(
        record=record,
        filed_by=by,
        filed_at=now,
        reason=reason.strip(),
        due_on=due_on,
        due_provisional=provisional,
    )
    move_record(record=record, action=LedgerAction.OBJECT, by=by, at=now, reason=objection.reason)
    for upload in checked:
        ObjectionEvidence.store(upload, objection=objection)
    return objection


@transaction.atomic
def decide_objection(
    *,
    objection: Objection,
    by,
    outcome: str,
    reason: str,
    points: Decimal | None = None,
    item: CatalogItem | None = None,
    narrative: str | None = None,
) -> Objection:
    """Uphold the record, amend it (a new published record replaces it) or revoke it."""
    rules.is_bureau_staff(by).enforce()
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    rules.may_decide_objection(by, objection).enforce()
    if outcome not in (ObjectionStatus.UPHELD, ObjectionStatus.AMENDED, ObjectionStatus.REVOKED):
        raise ValidationError(_("处理结果无效"))
    if not reason.strip():
        raise ValidationError(_("请说明处理理由"))
    record = lock_record(objection.record)
    now = timezone.now()
    reason = reason.strip()
    if outcome == ObjectionStatus.UPHELD:
        move_record(record=record, action=LedgerAction.UPHOLD, by=by, at=now, reason=reason)
    elif outcome == ObjectionStatus.REVOKED:
        move_record(record=record, action=LedgerAction.REVOKE, by=by, at=now, reason=reason)
    else:
        amendment = _publish_amendment(
            record=record,
            by=by,
            at=now,
            reason=reason,
            points=points,
            item=item,
            narrative=narrative,
        )
        move_record(
            record=record,
            action=LedgerAction.AMEND,
            by=by,
            at=now,
            reason=reason,
            extra={"amended_by_record": amendment.pk},
        )
    objection.status = outcome
    objection.decided_by = by
    objection.decided_at = now
    objection.decision_reason = reason
    objection.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    # What counts for the subject changed (amended, revoked) or is confirmed (upheld).
    recompute_subjects(year=record.year, subjects=[record.subject])
    notify_subject(
        record,
        title=f"异议处理结果：{objection.get_status_display()}",
        body=f"{record.item.name}（{record.occurred_on:%Y-%m-%d}）：{reason}",
    )
    return objection


def _publish_amendment(*, record, by, at, reason, points, item, narrative) -> CreditRecord:
    item = item or record.item
    if item.subject_kind != record.item.subject_kind:
        raise ValidationError(_("更正后的事项须适用于同一对象"))
    points = check_points(item, points if points is not None else None, reason)
    if points == record.points and item == record.item and not (narrative or "").strip():
        raise ValidationError(_("更正须改变分值、事项或事实陈述"))
    amendment = CreditRecord.objects.create(
        school_id=record.school_id,
        teacher_id=record.teacher_id,
        student_id=record.student_id,
        item=item,
        points=points,
        points_reason=reason if points != item.default_points else "",
        occurred_on=record.occurred_on,
        year=record.year,
        source=record.source,
        narrative=(narrative or record.narrative).strip(),
        deciding_office=record.deciding_office,
        document_number=record.document_number,
        amends=record,
        status=RecordStatus.APPROVED,
        recorded_by=by,
        recorded_at=at,
        submitted_by=by,
        submitted_at=at,
        approved_by=by,
        approved_at=at,
    )
    publish(record=amendment, by=by, at=at, reason=reason)
    return amendment


@transaction.atomic
def apply_for_repair(
    *, record: CreditRecord, by, proof_kind: str, proof: str, files=()
) -> RepairApplication:
    """The subject applies with a statement and up to three files proving the rectification;
    a refused file leaves no application behind."""
    record = lock_record(record)
    rules.may_apply_for_repair(by, record).enforce()
    if not proof.strip():
        raise ValidationError(_("请说明整改情况"))
    checked = check_uploads(files, most=FILES_PER_DISPUTE)
    application = RepairApplication.objects.create(
        record=record,
        applicant=by,
        applied_at=timezone.now(),
        proof_kind=proof_kind,
        proof=proof.strip(),
    )
    for upload in checked:
        RepairEvidence.store(upload, application=application)
    return application


@transaction.atomic
def decide_repair(
    *, application: RepairApplication, by, approve: bool, reason: str
) -> RepairApplication:
    rules.is_bureau_staff(by).enforce()
    application = RepairApplication.objects.select_for_update().get(pk=application.pk)
    rules.may_decide_repair(by, application).enforce()
    if not reason.strip():
        raise ValidationError(_("请填写审核意见"))
    now = timezone.now()
    record = lock_record(application.record)
    if approve:
        if record.status != RecordStatus.PUBLISHED:
            raise ValidationError(
                _("记录当前状态为“%(status)s”，不能修复") % {"status": record.get_status_display()},
                code="wrong_state",
            )
        move_record(record=record, action=LedgerAction.REPAIR, by=by, at=now, reason=reason.strip())
        recompute_subjects(year=record.year, subjects=[record.subject])
    application.status = RepairStatus.APPROVED if approve else RepairStatus.REFUSED
    application.decided_by = by
    application.decided_at = now
    application.decision_reason = reason.strip()
    application.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    return application


@transaction.atomic
def confirm_holiday_year(*, year: int, text: str, notice: str, by) -> int:
    """The bureau enters a year's arrangement from the State Council's notice; every open
    objection whose deadline was provisional is recounted at once. Returns how many were."""
    rules.is_bureau_staff(by).enforce()
    calendar.enter_year(year=year, text=text, notice=notice, by=by)
    recounted = 0
    for objection in Objection.objects.select_for_update().filter(
        status=ObjectionStatus.OPEN, due_provisional=True
    ):
        filed_on = timezone.localdate(objection.filed_at)
        objection.due_on, objection.due_provisional = calendar.add_working_days(
            filed_on, OBJECTION_DECISION_WORKING_DAYS
        )
        objection.save(update_fields=["due_on", "due_provisional"])
        recounted += 1
    return recounted
