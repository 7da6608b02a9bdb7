"""Writes to the credit ledger. Every function here is a rule the admin site, the portals, the
imports and the management commands share: one transaction each, checks before the write, the
acting user named on every change.

Errors are ``ValidationError`` (bad input or wrong state, shown to the user) or
``PermissionDenied`` (the role may not do this), each with a Chinese and an English message.
"""

import datetime
import hashlib
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from credit_registry import rules
from credit_registry.access import Role, role_of
from credit_registry.rules import OBJECTION_WINDOW_DAYS
from evaluations import workdays
from evaluations.assessment import recompute_year
from evaluations.ledger import move_record, publish
from evaluations.models import (
    AssessmentPolicy,
    AssessmentYear,
    CatalogItem,
    ClueNote,
    ClueStatus,
    ComplaintClue,
    ConsequenceRule,
    CreditRecord,
    Effect,
    Evidence,
    LedgerAction,
    Notice,
    Objection,
    ObjectionStatus,
    Polarity,
    Purpose,
    RecordSource,
    RecordStatus,
    RepairApplication,
    RepairStatus,
    SubjectKind,
    Trigger,
    academic_year_of,
    subject_field,
)
from schools.models import School
from students.models import Student
from teachers.models import Teacher

OBJECTION_DECISION_WORKING_DAYS = 10
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
# Accepted evidence: what its first bytes say, not what its name says.
EVIDENCE_SIGNATURES = {
    b"%PDF-": (".pdf", "application/pdf"),
    b"\x89PNG\r\n\x1a\n": (".png", "image/png"),
    b"\xff\xd8\xff": (".jpg", "image/jpeg"),
}


def _lock(record: CreditRecord) -> CreditRecord:
    return CreditRecord.objects.select_for_update().select_related("item").get(pk=record.pk)


def check_year_open(year: int) -> None:
    rules.year_is_open(year).enforce()


def _subject_kind(subject) -> str:
    return {"school": SubjectKind.SCHOOL, "teacher": SubjectKind.TEACHER}.get(
        subject_field(subject), SubjectKind.STUDENT
    )


def _check_points(item: CatalogItem, points: Decimal | None, reason: str) -> Decimal:
    if points is None:
        return item.default_points
    points = Decimal(points)
    if item.polarity == Polarity.POSITIVE and points < 0:
        raise ValidationError(
            "加分事项的分值不能为负 / A positive item cannot take negative points."
        )
    if item.polarity == Polarity.NEGATIVE and points > 0:
        raise ValidationError(
            "扣分事项的分值不能为正 / A negative item cannot take positive points."
        )
    if points != item.default_points and not reason.strip():
        raise ValidationError(
            "分值与目录默认值不同，须说明理由 / Points differ from the catalog default: give a reason.",
            code="points_reason_required",
        )
    return points


# --- proposing and publishing ------------------------------------------------------------------


def parse_points(value) -> Decimal:
    try:
        points = Decimal(str(value).strip().replace("＋", "+").replace("－", "-"))
    except (InvalidOperation, ValueError):
        raise ValidationError(
            f"分值“{value}”不是数字 / Points “{value}” is not a number."
        ) from None
    if not points.is_finite() or abs(points) >= 1000:
        raise ValidationError(f"分值“{value}”超出范围 / Points “{value}” out of range.")
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
            f"信用事项“{item.name}”不适用于{subject._meta.verbose_name} / "
            "This catalog item does not apply to this kind of subject.",
            code="item_kind",
        )
    if not item.active:
        raise ValidationError("该信用事项已停用 / This catalog item is no longer in use.")
    if occurred_on > timezone.localdate():
        raise ValidationError(
            "发生日期不能晚于今天 / The date of the fact cannot be in the future."
        )
    if not narrative.strip():
        raise ValidationError("请填写事实陈述 / Describe the facts.")
    check_year_open(academic_year_of(occurred_on))
    return _check_points(item, points, points_reason)


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
    submit: bool = True,
) -> CreditRecord:
    """Draft a record (and by default submit it for the bureau's approval)."""
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
) -> CreditRecord:
    """Correct a record that is still a working copy; the editor is named on it."""
    record = _lock(record)
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
    if source:
        record.source = source
    record.edited_by = by
    record.edited_at = timezone.now()
    record.save()
    return record


@transaction.atomic
def submit_record(*, record: CreditRecord, by) -> CreditRecord:
    record = _lock(record)
    rules.may_submit(by, record).enforce()
    record.status = RecordStatus.SUBMITTED
    record.submitted_by = by
    record.submitted_at = timezone.now()
    record.save(update_fields=["status", "submitted_by", "submitted_at"])
    return record


@transaction.atomic
def approve_record(*, record: CreditRecord, by) -> CreditRecord:
    rules.is_bureau_staff(by).enforce()
    record = _lock(record)
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
        raise ValidationError("请说明退回理由 / Give the reason for returning the record.")
    record = _lock(record)
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
    return record


@transaction.atomic
def publish_record(*, record: CreditRecord, by) -> CreditRecord:
    """Make an approved record visible to its subject; the objection window starts now."""
    rules.is_bureau_staff(by).enforce()
    record = _lock(record)
    rules.may_publish(by, record).enforce()
    publish(record=record, by=by, at=timezone.now())
    _notify_subject(
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
    """Withdraw a working copy: it was never published, so it leaves no trace but the audit."""
    record = _lock(record)
    rules.may_withdraw(by, record).enforce()
    record.delete()


def _notify_subject(record: CreditRecord, *, title: str, body: str) -> None:
    """The notice list of whoever answers for the subject; e-mail where an address is known.
    A student is never written to directly: their school is."""
    recipients = []
    emails = []
    if record.teacher_id:
        teacher = record.teacher
        if teacher.user_id:
            recipients.append(teacher.user)
        if teacher.email:
            emails.append(teacher.email)
    else:
        school = record.school if record.school_id else record.student.school
        recipients.extend(account.user for account in school.accounts.select_related("user"))
        emails.extend(account.user.email for account in school.accounts.all() if account.user.email)
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
    record = _lock(record)
    rules.may_attach_evidence(by, record).enforce()
    if uploaded_file.size > EVIDENCE_MAX_BYTES:
        raise ValidationError("文件超过10MB / The file is larger than 10 MB.", code="too_large")
    head = uploaded_file.read(16)
    uploaded_file.seek(0)
    kind = next((v for sig, v in EVIDENCE_SIGNATURES.items() if head.startswith(sig)), None)
    if kind is None:
        raise ValidationError(
            "只接受PDF、PNG或JPEG文件 / Only PDF, PNG or JPEG files are accepted.", code="file_type"
        )
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    extension, content_type = kind
    evidence = Evidence(
        record=record,
        original_name=uploaded_file.name[:200],
        content_type=content_type,
        extension=extension,
        size=uploaded_file.size,
        sha256=digest.hexdigest(),
        uploaded_by=by,
    )
    evidence.file.save(uploaded_file.name, uploaded_file, save=False)
    evidence.save()
    return evidence


# --- objections --------------------------------------------------------------------------------


@transaction.atomic
def file_objection(*, record: CreditRecord, by, reason: str) -> Objection:
    """The subject (the school, for a student) objects within 15 days of publication."""
    record = _lock(record)
    now = timezone.now()
    rules.may_object(by, record, today=timezone.localdate(now)).enforce()
    if not reason.strip():
        raise ValidationError("请填写异议理由 / Give the reason for the objection.")
    objection = Objection.objects.create(
        record=record,
        filed_by=by,
        filed_at=now,
        reason=reason.strip(),
        due_on=workdays.add_working_days(timezone.localdate(now), OBJECTION_DECISION_WORKING_DAYS),
    )
    move_record(record=record, action=LedgerAction.OBJECT, by=by, at=now, reason=objection.reason)
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
        raise ValidationError("处理结果无效 / Unknown outcome.")
    if not reason.strip():
        raise ValidationError("请说明处理理由 / Give the reason for the decision.")
    record = _lock(objection.record)
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
    _notify_subject(
        record,
        title=f"异议处理结果：{objection.get_status_display()}",
        body=f"{record.item.name}（{record.occurred_on:%Y-%m-%d}）：{reason}",
    )
    return objection


def _publish_amendment(*, record, by, at, reason, points, item, narrative) -> CreditRecord:
    item = item or record.item
    if item.subject_kind != record.item.subject_kind:
        raise ValidationError(
            "更正后的事项须适用于同一对象 / The amended item must fit the subject."
        )
    points = _check_points(item, points if points is not None else None, reason)
    if points == record.points and item == record.item and not (narrative or "").strip():
        raise ValidationError(
            "更正须改变分值、事项或事实陈述 / An amendment must change the points, item or facts."
        )
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


# --- credit repair -----------------------------------------------------------------------------


@transaction.atomic
def apply_for_repair(*, record: CreditRecord, by, proof_kind: str, proof: str) -> RepairApplication:
    record = _lock(record)
    rules.may_apply_for_repair(by, record).enforce()
    if not proof.strip():
        raise ValidationError("请说明整改情况 / Describe what was done to correct it.")
    return RepairApplication.objects.create(
        record=record,
        applicant=by,
        applied_at=timezone.now(),
        proof_kind=proof_kind,
        proof=proof.strip(),
    )


@transaction.atomic
def decide_repair(
    *, application: RepairApplication, by, approve: bool, reason: str
) -> RepairApplication:
    rules.is_bureau_staff(by).enforce()
    application = RepairApplication.objects.select_for_update().get(pk=application.pk)
    rules.may_decide_repair(by, application).enforce()
    if not reason.strip():
        raise ValidationError("请填写审核意见 / Give the reason for the decision.")
    now = timezone.now()
    record = _lock(application.record)
    if approve:
        if record.status != RecordStatus.PUBLISHED:
            raise ValidationError(
                f"记录当前状态为“{record.get_status_display()}”，不能修复 / "
                f"The record is {record.status}; it cannot be repaired now.",
                code="wrong_state",
            )
        move_record(record=record, action=LedgerAction.REPAIR, by=by, at=now, reason=reason.strip())
    application.status = RepairStatus.APPROVED if approve else RepairStatus.REFUSED
    application.decided_by = by
    application.decided_at = now
    application.decision_reason = reason.strip()
    application.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    return application


# --- complaint clues ---------------------------------------------------------------------------


def receive_clue(
    *,
    channel: str,
    subject_description: str,
    content: str,
    by=None,
    school: School | None = None,
    teacher: Teacher | None = None,
    reporter_name: str = "",
    reporter_contact: str = "",
) -> ComplaintClue:
    if not subject_description.strip() or not content.strip():
        raise ValidationError(
            "请填写反映对象和反映内容 / Say whom the clue is about and what happened."
        )
    if teacher is not None and school is None:
        school = teacher.school
    return ComplaintClue.objects.create(
        channel=channel,
        received_at=timezone.now(),
        subject_description=subject_description.strip()[:100],
        content=content.strip(),
        school=school,
        teacher=teacher,
        reporter_name=reporter_name.strip()[:50],
        reporter_contact=reporter_contact.strip()[:60],
        created_by=by,
    )


@transaction.atomic
def assign_clue(*, clue: ComplaintClue, inspector, by) -> ComplaintClue:
    rules.is_bureau_staff(by).enforce()
    if role_of(inspector) != Role.INSPECTOR:
        raise ValidationError("只能分派给督查员 / A clue can only be assigned to an inspector.")
    clue = ComplaintClue.objects.select_for_update().get(pk=clue.pk)
    rules.may_assign_clue(by, clue).enforce()
    clue.assigned_to = inspector
    clue.assigned_at = timezone.now()
    clue.status = ClueStatus.ASSIGNED
    clue.save(update_fields=["assigned_to", "assigned_at", "status"])
    return clue


@transaction.atomic
def add_clue_note(*, clue: ComplaintClue, by, text: str) -> ClueNote:
    clue = ComplaintClue.objects.select_for_update().get(pk=clue.pk)
    rules.may_work_clue(by, clue).enforce()
    if not text.strip():
        raise ValidationError("请填写调查情况 / Write what was found.")
    return ClueNote.objects.create(clue=clue, author=by, at=timezone.now(), text=text.strip())


@transaction.atomic
def close_clue(
    *,
    clue: ComplaintClue,
    by,
    substantiated: bool,
    conclusion: str,
    item: CatalogItem | None = None,
    occurred_on: datetime.date | None = None,
    subject: School | Teacher | None = None,
) -> ComplaintClue:
    """Close a clue; a substantiated one proposes a record for the bureau to approve."""
    clue = ComplaintClue.objects.select_for_update().get(pk=clue.pk)
    rules.may_work_clue(by, clue).enforce()
    if not conclusion.strip():
        raise ValidationError("请填写办结意见 / Write the conclusion.")
    if substantiated:
        subject = subject or clue.teacher or clue.school
        if subject is None or item is None or occurred_on is None:
            raise ValidationError(
                "线索属实时须指明对象、信用事项和发生日期 / A substantiated clue needs a subject, "
                "an item and a date."
            )
        clue.proposed_record = propose_record(
            by=by,
            subject=subject,
            item=item,
            occurred_on=occurred_on,
            narrative=conclusion,
            source=RecordSource.COMPLAINT,
        )
        clue.status = ClueStatus.SUBSTANTIATED
    else:
        clue.status = ClueStatus.UNSUBSTANTIATED
    clue.closed_by = by
    clue.closed_at = timezone.now()
    clue.conclusion = conclusion.strip()
    clue.save()
    return clue


# --- years and policies ------------------------------------------------------------------------

DEFAULT_RULES = [
    # teacher D or veto: not eligible for promotion, awards, projects that year and the next
    *[
        (SubjectKind.TEACHER, trigger, purpose, Effect.INELIGIBLE, 1)
        for trigger in (Trigger.GRADE_D, Trigger.VETO_RECORD)
        for purpose in (
            Purpose.TITLE_PROMOTION,
            Purpose.PROMOTION,
            Purpose.AWARDS,
            Purpose.PROJECT,
            Purpose.ANNUAL_REVIEW_EXCELLENT,
        )
    ],
    (SubjectKind.TEACHER, Trigger.GRADE_A, Purpose.AWARDS, Effect.PREFERRED, 0),
    (SubjectKind.TEACHER, Trigger.GRADE_A, Purpose.TITLE_PROMOTION, Effect.PREFERRED, 0),
    (SubjectKind.SCHOOL, Trigger.GRADE_D, Purpose.INSPECTION_QUALIFIED, Effect.INELIGIBLE, 0),
    (SubjectKind.SCHOOL, Trigger.VETO_RECORD, Purpose.INSPECTION_QUALIFIED, Effect.INELIGIBLE, 0),
    (SubjectKind.SCHOOL, Trigger.GRADE_D, Purpose.AWARDS, Effect.INELIGIBLE, 0),
    (SubjectKind.STUDENT, Trigger.GRADE_D, Purpose.AWARDS, Effect.INELIGIBLE, 0),
    (SubjectKind.STUDENT, Trigger.GRADE_A, Purpose.INTEGRITY_STAR, Effect.REQUIRED, 0),
]


@transaction.atomic
def ensure_year(*, year: int, by=None) -> AssessmentYear:
    """Open an assessment year with a first policy (defaults, or a copy of last year's)."""
    assessment_year, created = AssessmentYear.objects.get_or_create(year=year)
    if not assessment_year.policies.exists():
        previous = (
            AssessmentPolicy.objects.filter(year__year__lt=year)
            .order_by("-year", "-version")
            .first()
        )
        values = _policy_values(previous) if previous else {}
        _create_policy(assessment_year, by, values, note="初始版本", rules_from=previous)
    return assessment_year


def _policy_values(policy: AssessmentPolicy) -> dict:
    fields = [
        "base_score",
        "positive_cap",
        "activity_cap",
        "activity_points",
        "evaluation_weight",
        "record_weight",
        "grade_a",
        "grade_b",
        "grade_c",
        "veto_forces_d",
        "min_group_answers",
        "target_assessment_points",
    ]
    return {name: getattr(policy, name) for name in fields}


def _create_policy(assessment_year, by, values, note, rules_from) -> AssessmentPolicy:
    latest = assessment_year.policies.order_by("-version").first()
    policy = AssessmentPolicy(
        year=assessment_year,
        version=(latest.version + 1) if latest else 1,
        note=note,
        created_by=by,
        **values,
    )
    policy.full_clean(exclude=["year"])
    policy.save()
    if rules_from is not None:
        rules = [
            (r.subject_kind, r.trigger, r.purpose, r.effect, r.extra_years)
            for r in rules_from.rules.all()
        ]
    else:
        rules = DEFAULT_RULES
    ConsequenceRule.objects.bulk_create(
        ConsequenceRule(
            policy=policy,
            subject_kind=kind,
            trigger=trigger,
            purpose=purpose,
            effect=effect,
            extra_years=extra,
        )
        for kind, trigger, purpose, effect, extra in rules
    )
    return policy


@transaction.atomic
def create_policy_version(*, year: int, by, note: str, **values) -> AssessmentPolicy:
    """A new version of a year's policy; the old versions stay as they were."""
    rules.is_bureau_staff(by).enforce()
    assessment_year = AssessmentYear.objects.select_for_update().get(year=year)
    if assessment_year.is_closed:
        raise ValidationError(
            "该学年已关闭，考核政策不能再修改 / The year is closed; its policy cannot change.",
            code="year_closed",
        )
    current = assessment_year.policies.order_by("-version").first()
    merged = _policy_values(current) if current else {}
    merged.update(values)
    return _create_policy(assessment_year, by, merged, note=note, rules_from=current)


@transaction.atomic
def close_year(*, year: int, by) -> AssessmentYear:
    """Recompute a last time, then freeze the year's policy and results for good."""
    rules.is_bureau_staff(by).enforce()
    assessment_year = AssessmentYear.objects.select_for_update().get(year=year)
    if assessment_year.is_closed:
        raise ValidationError("该学年已关闭 / The year is already closed.")
    recompute_year(year=year)
    assessment_year.closed_at = timezone.now()
    assessment_year.closed_by = by
    assessment_year.save(update_fields=["closed_at", "closed_by"])
    return assessment_year
