"""The credit ledger: catalog, records, their append-only history, and the annual assessment.

A credit record is a legal record. Until it is published it is a working draft that its authors
may change; from publication on its content is frozen (model layer here, triggers in the database
from migration 0002) and everything that happens to it afterwards — objection, amendment,
revocation, repair — is a new row that points at it, and a new link in the hash chain
(:class:`LedgerEntry`).
"""

import calendar
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from schools.models import School
from students.models import Student
from teachers.models import Teacher


class SubjectKind(models.TextChoices):
    SCHOOL = "school", _("学校")
    TEACHER = "teacher", _("教师")
    STUDENT = "student", _("学生")


class Severity(models.TextChoices):
    """Publication tiers of public credit information: minor, general, severe."""

    MINOR = "minor", _("一般")
    GENERAL = "general", _("较重")
    SEVERE = "severe", _("严重")


class Polarity(models.TextChoices):
    POSITIVE = "positive", _("守信（加分）")
    NEGATIVE = "negative", _("失信（扣分）")


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (the month's last day when it has no such day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last))


class CatalogItem(models.Model):
    """A kind of behaviour the bureau records (信用事项)."""

    code = models.SlugField(_("事项代码"), max_length=40, unique=True)
    name = models.CharField(_("事项名称"), max_length=60)
    subject_kind = models.CharField(_("适用对象"), max_length=10, choices=SubjectKind.choices)
    polarity = models.CharField(_("性质"), max_length=10, choices=Polarity.choices)
    default_points = models.DecimalField(_("默认分值"), max_digits=6, decimal_places=2)
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices)
    vetoes = models.BooleanField(_("一票否决"), default=False)
    disclosure_days = models.PositiveIntegerField(_("公示期（天）"))
    repair_min_days = models.PositiveIntegerField(_("最短修复期（天）"))
    sanction_months = models.PositiveSmallIntegerField(
        _("处分期（月）"),
        null=True,
        blank=True,
        help_text=_(
            "教师纪律处分的影响期，自公布之日起算（警告6个月，记过12个月，降低岗位等级或撤职24个月）"
        ),
    )
    description = models.TextField(_("说明"), blank=True)
    active = models.BooleanField(_("启用"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("信用事项")
        verbose_name_plural = _("信用事项目录")
        ordering = ["subject_kind", "polarity", "code"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(polarity="positive", default_points__gte=0)
                    | models.Q(polarity="negative", default_points__lte=0)
                ),
                name="catalog_points_sign_matches_polarity",
            ),
            models.CheckConstraint(
                condition=models.Q(vetoes=False) | models.Q(polarity="negative"),
                name="catalog_only_negative_items_veto",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_subject_kind_display()}）"


class RecordSource(models.TextChoices):
    ROUTINE = "routine", _("日常考核")
    INSPECTION = "inspection", _("明察暗访")
    COMPLAINT = "complaint", _("信访线索")
    SELF_REPORT = "self_report", _("自查自报")
    EVALUATION = "evaluation", _("测评")
    COMMENDATION = "commendation", _("表彰")
    IMPORT = "import", _("批量导入")


class RecordStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    APPROVED = "approved", _("已审核")
    RETURNED = "returned", _("已退回")
    PUBLISHED = "published", _("已公布")
    UNDER_OBJECTION = "under_objection", _("异议处理中")
    AMENDED = "amended", _("已更正")
    REVOKED = "revoked", _("已撤销")
    REPAIRED = "repaired", _("已修复")


# Statuses of a record that has been published; its content can no longer change.
PUBLISHED_STATUSES = (
    RecordStatus.PUBLISHED,
    RecordStatus.UNDER_OBJECTION,
    RecordStatus.AMENDED,
    RecordStatus.REVOKED,
    RecordStatus.REPAIRED,
)
# Statuses of a published record that still counts in scores and consequences.
COUNTING_STATUSES = (RecordStatus.PUBLISHED, RecordStatus.UNDER_OBJECTION)

# 诚信教育活动 count once: as the activities a school logs (``schools.IntegrityActivity``, with
# kind, participants and photos, ``activity_points`` each up to the policy's ``activity_cap``,
# SPEC §6). The catalog item of the same name is retired (evaluations 0014): its records stay in
# the files they are part of, but never count — not in scores, lists or report figures.
ACTIVITY_ITEM_CODE = "S-INTEGRITY-ACTIVITY"

# The state each ledger action leaves a record in. A published record's stored status must always
# be the state of its newest link (database trigger from migration 0008, ``verify_ledger``).
STATE_AFTER = {
    "publish": RecordStatus.PUBLISHED,
    "object": RecordStatus.UNDER_OBJECTION,
    "uphold": RecordStatus.PUBLISHED,
    "amend": RecordStatus.AMENDED,
    "revoke": RecordStatus.REVOKED,
    "repair": RecordStatus.REPAIRED,
}

# Columns that are frozen once a record is published. The database triggers list the same ones.
PROTECTED_FIELDS = (
    "school_id",
    "teacher_id",
    "student_id",
    "item_id",
    "points",
    "points_reason",
    "occurred_on",
    "year",
    "source",
    "narrative",
    "deciding_office",
    "document_number",
    "recorded_by_id",
    "recorded_at",
    "approved_by_id",
    "approved_at",
    "published_by_id",
    "published_at",
    "amends_id",
    "polarity",
    "severity",
    "vetoes",
    "disclosed_until",
    "repairable_from",
    "sanction_until",
)


class PublishedRecordError(ValidationError):
    pass


class CreditRecordQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_at__isnull=False)

    def counting(self):
        """Records that count in scores, consequences and lists."""
        return self.filter(status__in=COUNTING_STATUSES).exclude(item__code=ACTIVITY_ITEM_CODE)

    def for_subject(self, subject):
        return self.filter(**{subject_field(subject): subject})

    def delete(self):
        if self.filter(published_at__isnull=False).exists():
            raise PublishedRecordError(_("已公布的信用记录不能删除"))
        return super().delete()

    def update(self, **kwargs):
        touched = {self.model._meta.get_field(name).attname for name in kwargs}
        guarded = set(PROTECTED_FIELDS) | {"status"}
        if touched & guarded and self.filter(published_at__isnull=False).exists():
            raise PublishedRecordError(_("已公布的信用记录不能修改，请通过更正或撤销处理"))
        return super().update(**kwargs)


class CreditRecord(models.Model):
    school = models.ForeignKey(
        School,
        verbose_name=_("学校"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_records",
    )
    teacher = models.ForeignKey(
        Teacher,
        verbose_name=_("教师"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_records",
    )
    student = models.ForeignKey(
        Student,
        verbose_name=_("学生"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_records",
    )
    item = models.ForeignKey(
        CatalogItem, verbose_name=_("信用事项"), on_delete=models.PROTECT, related_name="records"
    )
    points = models.DecimalField(_("分值"), max_digits=6, decimal_places=2)
    points_reason = models.CharField(
        _("分值调整理由"), max_length=200, blank=True, help_text=_("分值与目录默认值不同时必填")
    )
    occurred_on = models.DateField(_("发生日期"))
    year = models.PositiveSmallIntegerField(
        _("学年"), help_text=_("学年起始年份，如2025表示2025—2026学年")
    )
    source = models.CharField(_("来源"), max_length=16, choices=RecordSource.choices)
    narrative = models.TextField(_("事实陈述"))
    # The decision the record rests on (a commendation, a sanction): who decided it and its
    # document number, as the public lists cite it. Set before publication and frozen with the
    # content (PROTECTED_FIELDS, the ledger digest and the record guard, evaluations 0014).
    deciding_office = models.CharField(
        _("认定单位"),
        max_length=100,
        blank=True,
        help_text=_("作出表彰或认定决定的单位，如：某某区教育局；公布后不能修改"),
    )
    document_number = models.CharField(
        _("文号"),
        max_length=60,
        blank=True,
        help_text=_("决定文件的文号，如：蕉教〔2025〕12号；公布后不能修改"),
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=RecordStatus.choices, default=RecordStatus.DRAFT
    )
    amends = models.ForeignKey(
        "self",
        verbose_name=_("更正的原记录"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amendments",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("公布人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("最后修改人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    edited_at = models.DateTimeField(_("最后修改时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("退回人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    returned_reason = models.CharField(_("退回理由"), max_length=200, blank=True)
    # The tier in force when the record was published (set by ``fix_tier``): a later edit of
    # the catalog applies to records published afterwards, never to this one.
    polarity = models.CharField(
        _("性质（公布时）"), max_length=10, choices=Polarity.choices, blank=True
    )
    severity = models.CharField(
        _("严重程度（公布时）"), max_length=10, choices=Severity.choices, blank=True
    )
    vetoes = models.BooleanField(_("一票否决（公布时）"), default=False)
    disclosed_until = models.DateField(_("公示截止日期"), null=True, blank=True)
    repairable_from = models.DateField(_("可申请修复日期"), null=True, blank=True)
    sanction_until = models.DateField(_("处分期至"), null=True, blank=True)

    objects = CreditRecordQuerySet.as_manager()
    # Every saved version of a working copy (proposed, edited, submitted, returned, resubmitted,
    # approved): the record's own columns keep only the latest of each step.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("信用记录")
        verbose_name_plural = _("信用记录")
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(school__isnull=False, teacher__isnull=True, student__isnull=True)
                    | models.Q(school__isnull=True, teacher__isnull=False, student__isnull=True)
                    | models.Q(school__isnull=True, teacher__isnull=True, student__isnull=False)
                ),
                name="credit_record_exactly_one_subject",
            ),
            models.CheckConstraint(
                condition=models.Q(published_at__isnull=True)
                | models.Q(status__in=[s.value for s in PUBLISHED_STATUSES]),
                name="credit_record_published_status",
            ),
        ]
        indexes = [
            models.Index(fields=["year", "status"]),
            models.Index(fields=["teacher", "year"]),
            models.Index(fields=["student", "year"]),
            models.Index(fields=["school", "year"]),
            models.Index(fields=["status", "published_at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.item.name} · {self.subject}"

    def save(self, *args, **kwargs):
        if self.pk and getattr(self, "_loaded_published_at", None) is not None:
            changed = [
                name for name, value in self._loaded_values.items() if getattr(self, name) != value
            ]
            if self.status != self._loaded_status and not getattr(self, "_state_linked", False):
                raise PublishedRecordError(
                    _("已公布记录的状态只能随账本条目一起改变"),
                    code="state_without_link",
                )
            if changed:
                raise PublishedRecordError(
                    _("已公布的信用记录不能修改，请通过更正或撤销处理"),
                    code="published_immutable",
                )
        super().save(*args, **kwargs)
        self._loaded_published_at = self.published_at
        self._loaded_status = self.status
        self._state_linked = False
        self._loaded_values = {name: getattr(self, name) for name in PROTECTED_FIELDS}

    def delete(self, *args, **kwargs):
        if self.published_at is not None:
            raise PublishedRecordError(
                _("已公布的信用记录不能删除"),
                code="published_undeletable",
            )
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values, *args, **kwargs):
        instance = super().from_db(db, field_names, values, *args, **kwargs)
        instance._loaded_published_at = getattr(instance, "published_at", None)
        instance._loaded_status = getattr(instance, "status", None)
        instance._loaded_values = {
            name: getattr(instance, name) for name in PROTECTED_FIELDS if name in instance.__dict__
        }
        return instance

    @property
    def subject(self):
        return self.school or self.teacher or self.student

    @property
    def subject_school(self):
        """The school the subject is or belongs to (None for a person no longer at one)."""
        if self.school_id:
            return self.school
        person = self.teacher if self.teacher_id else self.student
        return person.school

    @property
    def subject_kind(self) -> str:
        if self.school_id:
            return SubjectKind.SCHOOL
        if self.teacher_id:
            return SubjectKind.TEACHER
        return SubjectKind.STUDENT

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def counts(self) -> bool:
        return self.status in COUNTING_STATUSES

    def fix_tier(self) -> None:
        """Copy the catalog item's tier as it is now onto the record; called at publication,
        before the record is stored and chained."""
        for name, value in tier_of(self.item, self.published_at).items():
            setattr(self, name, value)

    @property
    def is_negative(self) -> bool:
        """Negative by the polarity it was published with (its item's while unpublished)."""
        return (self.polarity or self.item.polarity) == Polarity.NEGATIVE

    def disclosure_ends_on(self) -> datetime.date | None:
        return self.disclosed_until

    def repair_possible_from(self) -> datetime.date | None:
        return self.repairable_from


def tier_of(item: "CatalogItem", published_at: datetime.datetime) -> dict:
    """The tier a record published at ``published_at`` keeps: its item's polarity, severity and
    veto, and the dates its disclosure, repair and sanction periods end or begin."""
    published_on = timezone.localdate(published_at)
    months = item.sanction_months
    return {
        "polarity": item.polarity,
        "severity": item.severity,
        "vetoes": item.vetoes,
        "disclosed_until": published_on + datetime.timedelta(days=item.disclosure_days),
        "repairable_from": published_on + datetime.timedelta(days=item.repair_min_days),
        "sanction_until": add_months(published_on, months) if months else None,
    }


def subject_field(subject) -> str:
    """The name of the credit-record column that points at this kind of subject."""
    if isinstance(subject, School):
        return "school"
    if isinstance(subject, Teacher):
        return "teacher"
    if isinstance(subject, Student):
        return "student"
    raise TypeError(f"not a credit subject: {subject!r}")


def evidence_path(instance: "Evidence", filename: str) -> str:
    return f"evidence/{instance.record_id}/{instance.sha256[:16]}{instance.extension}"


class Evidence(models.Model):
    record = models.ForeignKey(
        CreditRecord, verbose_name=_("信用记录"), on_delete=models.PROTECT, related_name="evidence"
    )
    file = models.FileField(_("文件"), upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=60)
    extension = models.CharField(_("扩展名"), max_length=8)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("证据材料")
        verbose_name_plural = _("证据材料")
        ordering = ["record", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class LedgerAction(models.TextChoices):
    PUBLISH = "publish", _("公布")
    OBJECT = "object", _("提出异议")
    UPHOLD = "uphold", _("异议不成立，维持原记录")
    AMEND = "amend", _("更正")
    REVOKE = "revoke", _("撤销")
    REPAIR = "repair", _("信用修复")


class LedgerEntry(models.Model):
    """One link of the tamper-evident chain: append-only, hashed over its content and the
    previous link. Rows are never updated or deleted (database triggers refuse both)."""

    record = models.ForeignKey(
        CreditRecord, verbose_name=_("信用记录"), on_delete=models.PROTECT, related_name="ledger"
    )
    action = models.CharField(_("操作"), max_length=10, choices=LedgerAction.choices)
    record_status = models.CharField(
        _("操作后状态"), max_length=16, choices=RecordStatus.choices, editable=False
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"))
    reason = models.TextField(_("理由"), blank=True)
    payload = models.JSONField(_("内容摘要"))
    prev_hash = models.CharField(_("上一环哈希"), max_length=64)
    hash = models.CharField(_("本环哈希"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("账本条目")
        verbose_name_plural = _("信用账本")
        ordering = ["id"]
        indexes = [models.Index(fields=["record", "-id"], name="ledger_record_newest")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_action_display()} · {self.hash[:12]}"


class LedgerHead(models.Model):
    """A single row locked while a link is appended, so that two links never share a parent."""

    last_hash = models.CharField(_("最新环节的哈希"), max_length=64)

    class Meta:
        verbose_name = _("账本链头")
        verbose_name_plural = _("账本链头")

    def __str__(self) -> str:
        return self.last_hash


class Notice(models.Model):
    """A message in a user's notice list (e.g. a record about them was published)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notices",
    )
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title
