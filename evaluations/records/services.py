"""Writes to the credit ledger. Every function here is a rule the admin site, the portals, the
imports and the management commands share: one transaction each, checks before the write, the
acting user named on every change.

Errors are ``ValidationError`` (bad input or wrong state, shown to the user) or
``PermissionDenied`` (the role may not do this), each with a Chinese and an English message.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from credit_registry import rules
from credit_registry.common import generations
from credit_registry.common.uploads import check_upload
from credit_registry.common.years import academic_year_of
from credit_registry.rules import OBJECTION_WINDOW_DAYS
from evaluations.assessment.scoring import recompute_subjects
from evaluations.models import (
    CatalogItem,
    CreditRecord,
    Evidence,
    Notice,
    Polarity,
    RecordSource,
    RecordStatus,
    SubjectKind,
    subject_field,
)
from evaluations.records.ledger import publish
from schools.models import School
from students.models import Student
from teachers.models import Degree, Teacher, VerificationStatus


def lock_record(record: CreditRecord) -> CreditRecord:
    return CreditRecord.objects.select_for_update().select_related("item").get(pk=record.pk)


def check_year_open(year: int) -> None:
    rules.year_is_open(year).enforce()


def _subject_kind(subject) -> str:
    return {"school": SubjectKind.SCHOOL, "teacher": SubjectKind.TEACHER}.get(
        subject_field(subject), SubjectKind.STUDENT
    )


def check_points(item: CatalogItem, points: Decimal | None, reason: str) -> Decimal:
    if points is None:
        return item.default_points
    points = Decimal(points)
    if item.polarity == Polarity.POSITIVE and points < 0:
        raise ValidationError(_("加分事项的分值不能为负"))
    if item.polarity == Polarity.NEGATIVE and points > 0:
        raise ValidationError(_("扣分事项的分值不能为正"))
    if points != item.default_points and not reason.strip():
        raise ValidationError(
            _("分值与目录默认值不同，须说明理由"),
            code="points_reason_required",
        )
    return points


# --- proposing and publishing ------------------------------------------------------------------


def parse_points(value) -> Decimal:
    try:
        points = Decimal(str(value).strip().replace("＋", "+").replace("－", "-"))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("分值“%(value)s”不是数字") % {"value": value}) from None
    if not points.is_finite() or abs(points) >= 1000:
        raise ValidationError(_("分值“%(value)s”超出范围") % {"value": value})
    return points.quantize(Decimal("0.01"))


def check_proposal(
    *,
    by,
    subject: School | Teacher | Student,
    item: CatalogItem,
    occurred_on: datetime.date,
    narrative: str,
    points: Decimal | None = None,
    points_reason: str = "",
) -> Decimal:
    """Everything a proposed record must satisfy; returns the points it will carry."""
    rules.may_propose(by, subject).enforce()
    if item.subject_kind != _subject_kind(subject):
        raise ValidationError(
            _("信用事项“%(name)s”不适用于%(verbose_name)s")
            % {"name": item.name, "verbose_name": subject._meta.verbose_name},
            code="item_kind",
        )
    if not item.active:
        raise ValidationError(_("该信用事项已停用"))
    if occurred_on > timezone.localdate():
        raise ValidationError(_("发生日期不能晚于今天"))
    if not narrative.strip():
        raise ValidationError(_("请填写事实陈述"))
    check_year_open(academic_year_of(occurred_on))
    return check_points(item, points, points_reason)


def propose_record(
    *,
    by,
    subject: School | Teacher | Student,
    item: CatalogItem,
    occurred_on: datetime.date,
    narrative: str,
    source: str = RecordSource.ROUTINE,
    points: Decimal | None = None,
    points_reason: str = "",
    deciding_office: str = "",
    document_number: str = "",
    submit: bool = True,
) -> CreditRecord:
    """Draft a record (and by default submit it for the bureau's approval). A commendation or
    sanction names the decision it rests on (``deciding_office``, ``document_number``)."""
    points = check_proposal(
        by=by,
        subject=subject,
        item=item,
        occurred_on=occurred_on,
        narrative=narrative,
        points=points,
        points_reason=points_reason,
    )
    now = timezone.now()
    return CreditRecord.objects.create(
        **{subject_field(subject): subject},
        item=item,
        points=points,
        points_reason=points_reason.strip(),
        occurred_on=occurred_on,
        year=academic_year_of(occurred_on),
        source=source,
        narrative=narrative.strip(),
        deciding_office=deciding_office.strip(),
        document_number=document_number.strip(),
        status=RecordStatus.SUBMITTED if submit else RecordStatus.DRAFT,
        recorded_by=by,
        recorded_at=now,
        submitted_by=by if submit else None,
        submitted_at=now if submit else None,
    )


@transaction.atomic
def edit_record(
    *,
    record: CreditRecord,
    by,
    item: CatalogItem,
    occurred_on: datetime.date,
    narrative: str,
    source: str | None = None,
    points: Decimal | None = None,
    points_reason: str = "",
    deciding_office: str = "",
    document_number: str = "",
) -> CreditRecord:
    """Correct a record that is still a working copy; the editor is named on it."""
    record = lock_record(record)
    rules.may_edit(by, record).enforce()
    points = check_proposal(
        by=by,
        subject=record.subject,
        item=item,
        occurred_on=occurred_on,
        narrative=narrative,
        points=points,
        points_reason=points_reason,
    )
    record.item = item
    record.points = points
    record.points_reason = points_reason.strip()
    record.occurred_on = occurred_on
    record.year = academic_year_of(occurred_on)
    record.narrative = narrative.strip()
    record.deciding_office = deciding_office.strip()
    record.document_number = document_number.strip()
    if source:
        record.source = source
    record.edited_by = by
    record.edited_at = timezone.now()
    record.save()
    return record


@transaction.atomic
def submit_record(*, record: CreditRecord, by) -> CreditRecord:
    record = lock_record(record)
    rules.may_submit(by, record).enforce()
    record.status = RecordStatus.SUBMITTED
    record.submitted_by = by
    record.submitted_at = timezone.now()
    record.save(update_fields=["status", "submitted_by", "submitted_at"])
    return record


@transaction.atomic
def approve_record(*, record: CreditRecord, by) -> CreditRecord:
    rules.is_bureau_staff(by).enforce()
    record = lock_record(record)
    rules.may_approve(by, record).enforce()
    record.status = RecordStatus.APPROVED
    record.approved_by = by
    record.approved_at = timezone.now()
    record.save(update_fields=["status", "approved_by", "approved_at"])
    return record


@transaction.atomic
def return_record(*, record: CreditRecord, by, reason: str) -> CreditRecord:
    rules.is_bureau_staff(by).enforce()
    if not reason.strip():
        raise ValidationError(_("请说明退回理由"))
    record = lock_record(record)
    rules.may_return(by, record).enforce()
    record.status = RecordStatus.RETURNED
    record.returned_by = by
    record.returned_at = timezone.now()
    record.returned_reason = reason.strip()
    record.approved_by = None
    record.approved_at = None
    record.save(
        update_fields=[
            "status",
            "returned_by",
            "returned_at",
            "returned_reason",
            "approved_by",
            "approved_at",
        ]
    )
    # The author corrects it where they wrote it; the notice leads them there. Stored in the
    # registry's language, as the notices of publication are.
    Notice.objects.create(
        recipient_id=record.recorded_by_id,
        title=f"信用记录被退回：{record.item.name}",
        body=f"退回理由：{record.returned_reason.rstrip('。')}。请修改后重新提交，或撤回。",
        url=reverse("record_detail", args=[record.pk]),
    )
    return record


@transaction.atomic
def publish_record(*, record: CreditRecord, by) -> CreditRecord:
    """Make an approved record visible to its subject; the objection window starts now."""
    rules.is_bureau_staff(by).enforce()
    record = lock_record(record)
    rules.may_publish(by, record).enforce()
    publish(record=record, by=by, at=timezone.now())
    recompute_subjects(year=record.year, subjects=[record.subject])
    notify_subject(
        record,
        title=f"新的信用记录已公布：{record.item.name}",
        body=(
            f"{record.occurred_on:%Y-%m-%d} {record.item.name}（{record.points:+.2f}分）。"
            f"如有异议，请于公布之日起{OBJECTION_WINDOW_DAYS}日内提出。"
        ),
    )
    return record


@transaction.atomic
def delete_draft(*, record: CreditRecord, by) -> None:
    """Withdraw a working copy: it was never published, so it leaves no trace but its saved
    versions (which name who withdrew it). Its evidence goes with it."""
    record = lock_record(record)
    rules.may_withdraw(by, record).enforce()
    files = [evidence.file for evidence in record.evidence.all()]
    record.evidence.all().delete()
    record._history_user = by
    record.delete()
    transaction.on_commit(lambda: [file.delete(save=False) for file in files])


def mark_notices_read(*, user, notices) -> int:
    """Mark notices the user has been shown as read (only theirs, only those still new). The
    notices page does it on a GET: the count of new notices on cached pages moves with it."""
    marked = Notice.objects.filter(
        recipient=user, pk__in=[notice.pk for notice in notices], read_at__isnull=True
    ).update(read_at=timezone.now())
    if marked:
        generations.bump(generations.REGISTRY)
    return marked


def subject_recipients(record: CreditRecord) -> tuple[list, list[str]]:
    """Who answers for a record's subject: (users to write a notice to, e-mail addresses).
    A student is never written to directly: their school is."""
    if record.teacher_id:
        teacher = record.teacher
        return ([teacher.user] if teacher.user_id else []), (
            [teacher.email] if teacher.email else []
        )
    school = record.subject_school
    users = [account.user for account in school.accounts.select_related("user")]
    return users, [user.email for user in users if user.email]


def notify_subject(record: CreditRecord, *, title: str, body: str) -> None:
    """The notice list of whoever answers for the subject; e-mail where an address is known."""
    recipients, emails = subject_recipients(record)
    Notice.objects.bulk_create(
        [
            Notice(
                recipient=user,
                title=title,
                body=body,
                url=reverse("record_detail", args=[record.pk]),
            )
            for user in recipients
        ]
    )
    if emails:
        transaction.on_commit(lambda: send_mail(title, body, None, emails, fail_silently=True))


# --- evidence ----------------------------------------------------------------------------------


@transaction.atomic
def attach_evidence(*, record: CreditRecord, by, uploaded_file) -> Evidence:
    """Attach a PDF/PNG/JPEG of at most 10 MB to a record that is not yet published."""
    record = lock_record(record)
    rules.may_attach_evidence(by, record).enforce()
    checked = check_upload(uploaded_file)
    evidence = Evidence(
        record=record,
        original_name=checked.name,
        content_type=checked.content_type,
        extension=checked.extension,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=by,
    )
    evidence.file.save(checked.name, uploaded_file, save=False)
    evidence.save()
    return evidence


# --- degree verification (学历甄别核查) --------------------------------------------------------


CREDENTIAL_FRAUD_CODE = "T-CREDENTIAL-FRAUD"


@transaction.atomic
def verify_degree(
    *, degree: Degree, by, status: str, note: str = ""
) -> tuple[Degree, CreditRecord | None]:
    """Record the bureau's check of a degree certificate (学历甄别核查). A degree found forged
    proposes the catalog's credential-fraud record (学历造假) for the bureau to approve."""
    rules.is_bureau_staff(by).enforce()
    if status not in VerificationStatus.values:
        raise ValidationError(_("核查结论无效"))
    note = note.strip()
    if status in (VerificationStatus.DOUBTFUL, VerificationStatus.FORGED) and not note:
        raise ValidationError(
            _("存疑或造假须写明核查情况"),
            code="note_required",
        )
    degree = Degree.objects.select_for_update().select_related("teacher").get(pk=degree.pk)
    was_forged = degree.verification_status == VerificationStatus.FORGED
    degree.verification_status = status
    degree.verification_note = note
    degree.verified_by = by
    degree.verified_at = timezone.now()
    degree.save(
        update_fields=["verification_status", "verification_note", "verified_by", "verified_at"]
    )
    record = None
    if status == VerificationStatus.FORGED and not was_forged:
        record = propose_record(
            by=by,
            subject=degree.teacher,
            item=CatalogItem.objects.get(code=CREDENTIAL_FRAUD_CODE),
            occurred_on=timezone.localdate(),
            narrative=(
                f"学历甄别核查：{degree.get_level_display()}（{degree.institution}，"
                f"证书编号{degree.certificate_number}）核查结论为造假。{note}"
            ),
            source=RecordSource.ROUTINE,
        )
    return degree, record
