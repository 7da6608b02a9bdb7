"""Complaint clues (信访线索): intake, assignment to an inspector, notes of the investigation,
and closing (a substantiated clue proposes a record for the bureau's approval)."""

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from credit_registry import rules
from credit_registry.access import Role, role_of
from credit_registry.common.uploads import IMAGES, check_uploads
from evaluations.models import (
    CODE_ALPHABET,
    PHOTOS_PER_CLUE,
    RECEIPT_LENGTH,
    CatalogItem,
    ClueNote,
    CluePhoto,
    ClueStatus,
    ComplaintClue,
    RecordSource,
)
from evaluations.records.services import propose_record
from schools.models import School
from teachers.models import Teacher


def new_receipt_number() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(RECEIPT_LENGTH))


@transaction.atomic
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
    photos=(),
) -> ComplaintClue:
    """Take in a clue with up to three photos and give it a receipt number (受理编号), with
    which whoever reported it follows its progress. A refused photo leaves no clue behind."""
    if not subject_description.strip() or not content.strip():
        raise ValidationError(_("请填写反映对象和反映内容"))
    checked = check_uploads(photos, most=PHOTOS_PER_CLUE, accept=IMAGES)
    if teacher is not None and school is None:
        school = teacher.school
    clue = _create_with_receipt_number(
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
    for photo in checked:
        CluePhoto.store(photo, clue=clue)
    return clue


def _create_with_receipt_number(**fields) -> ComplaintClue:
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return ComplaintClue.objects.create(receipt_number=new_receipt_number(), **fields)
        except IntegrityError:  # pragma: no cover - a clash among 31**10 numbers is rare
            continue
    raise RuntimeError("could not draw a free receipt number")  # pragma: no cover


@transaction.atomic
def assign_clue(*, clue: ComplaintClue, inspector, by) -> ComplaintClue:
    rules.is_bureau_staff(by).enforce()
    if role_of(inspector) != Role.INSPECTOR:
        raise ValidationError(_("只能分派给督查员"))
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
        raise ValidationError(_("请填写调查情况"))
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
        raise ValidationError(_("请填写办结意见"))
    if substantiated:
        subject = subject or clue.teacher or clue.school
        if subject is None or item is None or occurred_on is None:
            raise ValidationError(_("线索属实时须指明对象、信用事项和发生日期"))
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
