"""Schools' own integrity work (诚信校园, SPEC §6): integrity-education activities, which count
toward the school's record score, and the lawful-operation checklist, whose failed areas become
proposed credit records. Both feed the ledger, so they live above it.

Every function checks who acts before it writes and writes in one transaction; views, the admin
site and the demo data call these, never the models directly.
"""

import datetime
import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from credit_registry import reference_data
from credit_registry.access import Role, is_bureau, role_of, school_of
from credit_registry.common import generations
from credit_registry.common.years import academic_year_of
from evaluations.assessment.scoring import recompute_subjects
from evaluations.models import CatalogItem, RecordSource
from evaluations.records import services as record_services
from schools.models import (
    ActivityPhoto,
    ChecklistArea,
    ChecklistEntry,
    ChecklistKind,
    IntegrityActivity,
    OperationChecklist,
    School,
)

PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTOS_PER_ACTIVITY = 9
PHOTO_FORMATS = {"PNG": (".png", "image/png"), "JPEG": (".jpg", "image/jpeg")}


def area_items() -> dict[str, str]:
    """The code of the catalog item each failed checklist area turns into, from the reviewed
    reference data (``fixtures/checklist_areas.json``)."""
    return {area.code: area.catalog_item for area in reference_data.checklist_areas()}


def _acting_school(user, school: School) -> None:
    """The school's own account, or the bureau, may write about the school."""
    if is_bureau(user):
        return
    if role_of(user) == Role.PRINCIPAL and school_of(user) == school:
        return
    raise PermissionDenied(_("您无权为该学校登记"))


# --- activities --------------------------------------------------------------------------------


def check_activity(*, held_on: datetime.date) -> None:
    """What every activity must satisfy, on the portal and in an import."""
    if held_on > timezone.localdate():
        raise ValidationError(_("活动日期不能晚于今天"))
    record_services.check_year_open(academic_year_of(held_on))


@transaction.atomic
def record_activity(
    *,
    by,
    school: School,
    kind: str,
    title: str,
    held_on: datetime.date,
    participants: str,
    participant_count: int,
    description: str,
    photos=(),
) -> IntegrityActivity:
    """Log an activity the school held, with up to nine photos. All or nothing: a bad photo
    leaves no activity behind."""
    _acting_school(by, school)
    check_activity(held_on=held_on)
    if not title.strip() or not description.strip():
        raise ValidationError(_("请填写活动名称和内容"))
    if participant_count < 1:
        raise ValidationError(_("参加人数至少为1"))
    if len(photos) > PHOTOS_PER_ACTIVITY:
        raise ValidationError(_("每次活动最多上传%(most)s张照片") % {"most": PHOTOS_PER_ACTIVITY})
    activity = IntegrityActivity.objects.create(
        school=school,
        kind=kind,
        title=title.strip(),
        held_on=held_on,
        year=academic_year_of(held_on),
        participants=participants.strip(),
        participant_count=participant_count,
        description=description.strip(),
        recorded_by=by,
    )
    for photo in photos:
        add_activity_photo(activity=activity, by=by, uploaded_file=photo)
    recompute_subjects(year=activity.year, subjects=[school])
    return activity


def _check_photo(uploaded_file) -> tuple[str, str]:
    if uploaded_file.size > PHOTO_MAX_BYTES:
        raise ValidationError(_("照片超过10MB"), code="too_large")
    try:
        with Image.open(uploaded_file) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("“%(name)s”不是有效的PNG或JPEG图片") % {"name": uploaded_file.name},
            code="file_type",
        ) from None
    finally:
        uploaded_file.seek(0)
    if image_format not in PHOTO_FORMATS:
        raise ValidationError(_("只接受PNG或JPEG照片"), code="file_type")
    return PHOTO_FORMATS[image_format]


@transaction.atomic
def add_activity_photo(*, activity: IntegrityActivity, by, uploaded_file) -> ActivityPhoto:
    _acting_school(by, activity.school)
    if activity.photos.count() >= PHOTOS_PER_ACTIVITY:
        raise ValidationError(_("每次活动最多%(most)s张照片") % {"most": PHOTOS_PER_ACTIVITY})
    extension, content_type = _check_photo(uploaded_file)
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    photo = ActivityPhoto(
        activity=activity,
        extension=extension,
        content_type=content_type,
        size=uploaded_file.size,
        sha256=digest.hexdigest(),
    )
    photo.image.save(uploaded_file.name, uploaded_file, save=False)
    photo.save()
    return photo


@transaction.atomic
def exclude_activity(*, activity: IntegrityActivity, by, reason: str) -> IntegrityActivity:
    """The bureau decides an activity does not count (it took place outside the rules, or the
    photos show something else) and says why; an empty reason makes it count again. The
    activity stays on file either way; the school's result follows at once."""
    if not is_bureau(by):
        raise PermissionDenied(_("只有局机关可以核减活动"))
    activity.excluded_reason = reason.strip()[:200]
    activity.save(update_fields=["excluded_reason"])
    generations.bump(generations.PUBLIC_LISTS)  # the news of the exemplars page
    recompute_subjects(year=activity.year, subjects=[activity.school])
    return activity


# --- lawful-operation checklist ----------------------------------------------------------------


@transaction.atomic
def file_checklist(
    *,
    by,
    school: School,
    year: int,
    kind: str,
    results: dict[str, tuple[bool, str]],
    note: str = "",
) -> OperationChecklist:
    """File a year's checklist in one go: ``results`` maps every area to (passed, finding).

    The school files its self-assessment, the bureau its inspection. Each failed area becomes a
    credit record about the school, proposed and submitted for the bureau's approval, with the
    finding as its facts. A checklist is filed once per school, year and kind.
    """
    if kind == ChecklistKind.INSPECTION and not is_bureau(by):
        raise PermissionDenied(_("检查表只能由局机关填报"))
    _acting_school(by, school)
    missing = [ChecklistArea(area).label for area in ChecklistArea if area not in results]
    if missing:
        raise ValidationError(_("检查项目未填完：%(areas)s") % {"areas": "、".join(missing)})
    for area, (passed, finding) in results.items():
        if not passed and not finding.strip():
            raise ValidationError(
                _("“%(label)s”不符合要求，请写明情况") % {"label": ChecklistArea(area).label},
                code="finding_required",
            )
    if OperationChecklist.objects.filter(school=school, year=year, kind=kind).exists():
        raise ValidationError(
            _("本学年的检查表已经填报，不能重复填报"),
            code="already_filed",
        )
    try:
        with transaction.atomic():
            checklist = OperationChecklist.objects.create(
                school=school, year=year, kind=kind, note=note.strip(), filed_by=by
            )
    except IntegrityError:  # filed at the same moment by somebody else
        raise ValidationError(
            _("本学年的检查表已经填报，不能重复填报"),
            code="already_filed",
        ) from None
    item_codes = area_items()
    items = {item.code: item for item in CatalogItem.objects.filter(code__in=item_codes.values())}
    source = (
        RecordSource.SELF_REPORT
        if kind == ChecklistKind.SELF_ASSESSMENT
        else (RecordSource.INSPECTION)
    )
    today = timezone.localdate()
    for area in ChecklistArea:
        passed, finding = results[area]
        record = None
        if not passed:
            record = record_services.propose_record(
                by=by,
                subject=school,
                item=items[item_codes[area]],
                occurred_on=today,
                narrative=f"{checklist.get_kind_display()}（{area.label}）：{finding.strip()}",
                source=source,
            )
        ChecklistEntry.objects.create(
            checklist=checklist, area=area, passed=passed, finding=finding.strip(), record=record
        )
    return checklist
