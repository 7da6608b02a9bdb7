"""The credit ledger: catalog, records, their append-only history, and the annual assessment.

A credit record is a legal record. Until it is published it is a working draft that its authors
may change; from publication on its content is frozen (model layer here, triggers in the database
from migration 0002) and everything that happens to it afterwards — objection, amendment,
revocation, repair — is a new row that points at it, and a new link in the hash chain
(:class:`LedgerEntry`).
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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


def academic_year_of(day: datetime.date) -> int:
    """The academic year (by its first calendar year) that a date falls in: 1 Sep – 31 Aug."""
    return day.year if day.month >= 9 else day.year - 1


def academic_year_label(year: int) -> str:
    return f"{year}—{year + 1}学年"


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
    description = models.TextField(_("说明"), blank=True)
    active = models.BooleanField(_("启用"), default=True)

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
)


class PublishedRecordError(ValidationError):
    pass


class CreditRecordQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_at__isnull=False)

    def counting(self):
        return self.filter(status__in=COUNTING_STATUSES)

    def for_subject(self, subject):
        return self.filter(**{subject_field(subject): subject})

    def delete(self):
        if self.filter(published_at__isnull=False).exists():
            raise PublishedRecordError(
                _("已公布的信用记录不能删除 / A published credit record cannot be deleted.")
            )
        return super().delete()

    def update(self, **kwargs):
        touched = {self.model._meta.get_field(name).attname for name in kwargs}
        guarded = set(PROTECTED_FIELDS) | {"status"}
        if touched & guarded and self.filter(published_at__isnull=False).exists():
            raise PublishedRecordError(
                _(
                    "已公布的信用记录不能修改，请通过更正或撤销处理 / A published credit record cannot "
                    "be changed; amend or revoke it instead."
                )
            )
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

    objects = CreditRecordQuerySet.as_manager()

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
                    _(
                        "已公布记录的状态只能随账本条目一起改变 / A published record's state "
                        "changes only together with its ledger entry."
                    ),
                    code="state_without_link",
                )
            if changed:
                raise PublishedRecordError(
                    _(
                        "已公布的信用记录不能修改，请通过更正或撤销处理 / A published credit record "
                        "cannot be changed; amend or revoke it instead."
                    ),
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
                _("已公布的信用记录不能删除 / A published credit record cannot be deleted."),
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
        published_on = timezone.localdate(self.published_at)
        self.polarity = self.item.polarity
        self.severity = self.item.severity
        self.vetoes = self.item.vetoes
        self.disclosed_until = published_on + datetime.timedelta(days=self.item.disclosure_days)
        self.repairable_from = published_on + datetime.timedelta(days=self.item.repair_min_days)

    @property
    def is_negative(self) -> bool:
        """Negative by the polarity it was published with (its item's while unpublished)."""
        return (self.polarity or self.item.polarity) == Polarity.NEGATIVE

    def disclosure_ends_on(self) -> datetime.date | None:
        return self.disclosed_until

    def repair_possible_from(self) -> datetime.date | None:
        return self.repairable_from


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
    extension = models.CharField(max_length=8)
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

    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("账本链头")
        verbose_name_plural = _("账本链头")

    def __str__(self) -> str:
        return self.last_hash


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("处理中")
    UPHELD = "upheld", _("维持原记录")
    AMENDED = "amended", _("更正")
    REVOKED = "revoked", _("撤销")


class Objection(models.Model):
    record = models.ForeignKey(
        CreditRecord,
        verbose_name=_("信用记录"),
        on_delete=models.PROTECT,
        related_name="objections",
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    filed_at = models.DateTimeField(_("提出时间"))
    reason = models.TextField(_("异议理由"))
    due_on = models.DateField(_("办理期限"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decision_reason = models.TextField(_("决定理由"), blank=True)

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["-filed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["record"], condition=models.Q(status="open"), name="one_open_objection"
            )
        ]

    def __str__(self) -> str:
        return f"{self.record} · {self.get_status_display()}"

    def is_overdue(self, today: datetime.date) -> bool:
        return self.status == ObjectionStatus.OPEN and today > self.due_on


class RepairStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("不予批准")


class RepairProof(models.TextChoices):
    TRAINING = "training", _("参加信用修复培训")
    COMMITMENT = "commitment", _("签署信用承诺书")
    PUBLIC_SERVICE = "public_service", _("参加公益服务")


class RepairApplication(models.Model):
    record = models.ForeignKey(
        CreditRecord, verbose_name=_("信用记录"), on_delete=models.PROTECT, related_name="repairs"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    applied_at = models.DateTimeField(_("申请时间"))
    proof_kind = models.CharField(_("整改证明类型"), max_length=16, choices=RepairProof.choices)
    proof = models.TextField(_("整改情况说明"))
    status = models.CharField(
        _("状态"), max_length=10, choices=RepairStatus.choices, default=RepairStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_reason = models.TextField(_("审核意见"), blank=True)

    class Meta:
        verbose_name = _("信用修复申请")
        verbose_name_plural = _("信用修复申请")
        ordering = ["-applied_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["record"], condition=models.Q(status="pending"), name="one_pending_repair"
            )
        ]

    def __str__(self) -> str:
        return f"{self.record} · {self.get_status_display()}"


class ClueStatus(models.TextChoices):
    RECEIVED = "received", _("已受理")
    ASSIGNED = "assigned", _("已分派")
    UNSUBSTANTIATED = "unsubstantiated", _("不属实，已办结")
    SUBSTANTIATED = "substantiated", _("属实，已提出记录")


class ClueChannel(models.TextChoices):
    STAFF = "staff", _("工作人员录入")
    PUBLIC = "public", _("公众投诉")
    HOTLINE = "hotline", _("电话信访")


class ComplaintClue(models.Model):
    channel = models.CharField(_("来源渠道"), max_length=10, choices=ClueChannel.choices)
    received_at = models.DateTimeField(_("受理时间"))
    reporter_name = models.CharField(_("反映人"), max_length=50, blank=True)
    reporter_contact = models.CharField(_("联系方式"), max_length=60, blank=True)
    school = models.ForeignKey(
        School,
        verbose_name=_("涉及学校"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="clues",
    )
    teacher = models.ForeignKey(
        Teacher,
        verbose_name=_("涉及教师"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="clues",
    )
    subject_description = models.CharField(_("反映对象"), max_length=100)
    content = models.TextField(_("反映内容"))
    status = models.CharField(
        _("状态"), max_length=16, choices=ClueStatus.choices, default=ClueStatus.RECEIVED
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办督查员"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_clues",
    )
    assigned_at = models.DateTimeField(_("分派时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办结人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    conclusion = models.TextField(_("办结意见"), blank=True)
    proposed_record = models.OneToOneField(
        CreditRecord,
        verbose_name=_("提出的信用记录"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="clue",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("信访线索")
        verbose_name_plural = _("信访线索")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject_description}"


class ClueNote(models.Model):
    clue = models.ForeignKey(
        ComplaintClue, verbose_name=_("线索"), on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"))
    text = models.TextField(_("调查情况"))

    class Meta:
        verbose_name = _("调查记录")
        verbose_name_plural = _("调查记录")
        ordering = ["clue", "at"]

    def __str__(self) -> str:
        return f"{self.clue_id} · {self.at:%Y-%m-%d}"


class AssessmentYear(models.Model):
    """An academic year of assessment; once closed, its policy and results never change."""

    year = models.PositiveSmallIntegerField(_("学年"), primary_key=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("关闭人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("考核学年")
        verbose_name_plural = _("考核学年")
        ordering = ["-year"]

    def __str__(self) -> str:
        return academic_year_label(self.year)

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class AssessmentPolicy(models.Model):
    """One version of a year's scoring policy. Versions are added, never edited."""

    year = models.ForeignKey(
        AssessmentYear, verbose_name=_("学年"), on_delete=models.PROTECT, related_name="policies"
    )
    version = models.PositiveSmallIntegerField(_("版本"))
    base_score = models.DecimalField(
        _("基础分"), max_digits=6, decimal_places=2, default=Decimal(100)
    )
    positive_cap = models.DecimalField(
        _("加分上限"), max_digits=6, decimal_places=2, default=Decimal(10)
    )
    activity_cap = models.DecimalField(
        _("诚信教育活动加分上限"), max_digits=6, decimal_places=2, default=Decimal(5)
    )
    activity_points = models.DecimalField(
        _("每次诚信教育活动加分"), max_digits=6, decimal_places=2, default=Decimal(1)
    )
    evaluation_weight = models.DecimalField(
        _("测评权重（教师）"), max_digits=4, decimal_places=2, default=Decimal("0.60")
    )
    record_weight = models.DecimalField(
        _("记录分权重（教师）"), max_digits=4, decimal_places=2, default=Decimal("0.40")
    )
    grade_a = models.DecimalField(
        _("优秀（A）下限"), max_digits=6, decimal_places=2, default=Decimal(90)
    )
    grade_b = models.DecimalField(
        _("良好（B）下限"), max_digits=6, decimal_places=2, default=Decimal(75)
    )
    grade_c = models.DecimalField(
        _("合格（C）下限"), max_digits=6, decimal_places=2, default=Decimal(60)
    )
    veto_forces_d = models.BooleanField(_("严重一票否决事项定为D"), default=True)
    min_group_answers = models.PositiveSmallIntegerField(_("测评组最少有效答卷数"), default=5)
    target_assessment_points = models.DecimalField(
        _("目标考核中诚信分值"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(10),
        help_text=_("公办学校目标考核中诚信建设所占分值"),
    )
    note = models.CharField(_("修订说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("制定人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("制定时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("考核政策")
        verbose_name_plural = _("考核政策")
        ordering = ["-year_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["year", "version"], name="unique_policy_version"),
            models.CheckConstraint(
                condition=models.Q(evaluation_weight__gte=0, record_weight__gte=0),
                name="policy_weights_non_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(grade_a__gte=models.F("grade_b"))
                & models.Q(grade_b__gte=models.F("grade_c")),
                name="policy_grade_bands_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{academic_year_label(self.year_id)} v{self.version}"

    def grade_for(self, score: Decimal) -> str:
        if score >= self.grade_a:
            return Grade.A
        if score >= self.grade_b:
            return Grade.B
        if score >= self.grade_c:
            return Grade.C
        return Grade.D


class Grade(models.TextChoices):
    A = "A", _("A 优秀")
    B = "B", _("B 良好")
    C = "C", _("C 合格")
    D = "D", _("D 不合格")


class Purpose(models.TextChoices):
    TITLE_PROMOTION = "title_promotion", _("职称评聘")
    PROMOTION = "promotion", _("职务晋升")
    AWARDS = "awards", _("评优评先")
    PROJECT = "project", _("项目申报")
    ANNUAL_REVIEW_EXCELLENT = "annual_review_excellent", _("年度考核评为优秀")
    INTEGRITY_STAR = "integrity_star", _("诚信之星")
    INSPECTION_QUALIFIED = "inspection_qualified", _("年检评为合格")


class Trigger(models.TextChoices):
    GRADE_A = "grade_a", _("等级为A")
    GRADE_D = "grade_d", _("等级为D")
    VETO_RECORD = "veto_record", _("有一票否决记录")


class Effect(models.TextChoices):
    INELIGIBLE = "ineligible", _("不得参加")
    PREFERRED = "preferred", _("同等条件优先")
    REQUIRED = "required", _("须满足方可参加")


class ConsequenceRule(models.Model):
    """守信激励和失信惩戒: when a trigger holds for a subject in a year, the effect applies to a
    purpose in that year and the following ``extra_years``."""

    policy = models.ForeignKey(
        AssessmentPolicy, verbose_name=_("考核政策"), on_delete=models.CASCADE, related_name="rules"
    )
    subject_kind = models.CharField(_("适用对象"), max_length=10, choices=SubjectKind.choices)
    trigger = models.CharField(_("触发条件"), max_length=12, choices=Trigger.choices)
    purpose = models.CharField(_("事项"), max_length=24, choices=Purpose.choices)
    effect = models.CharField(_("效果"), max_length=12, choices=Effect.choices)
    extra_years = models.PositiveSmallIntegerField(_("延续学年数"), default=0)

    class Meta:
        verbose_name = _("奖惩规则")
        verbose_name_plural = _("奖惩规则")
        ordering = ["policy", "subject_kind", "purpose"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "subject_kind", "trigger", "purpose"], name="unique_rule"
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_subject_kind_display()}{self.get_trigger_display()}："
            f"{self.get_effect_display()}{self.get_purpose_display()}"
        )


class AssessmentResult(models.Model):
    """A subject's score and grade for one year, with the explanation of every point."""

    year = models.ForeignKey(
        AssessmentYear, verbose_name=_("学年"), on_delete=models.PROTECT, related_name="results"
    )
    policy = models.ForeignKey(
        AssessmentPolicy, verbose_name=_("考核政策"), on_delete=models.PROTECT, related_name="+"
    )
    school = models.ForeignKey(
        School,
        verbose_name=_("学校"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="assessment_results",
    )
    teacher = models.ForeignKey(
        Teacher,
        verbose_name=_("教师"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="assessment_results",
    )
    student = models.ForeignKey(
        Student,
        verbose_name=_("学生"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="assessment_results",
    )
    record_score = models.DecimalField(_("记录分"), max_digits=7, decimal_places=2)
    evaluation_score = models.DecimalField(
        _("测评分"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    total_score = models.DecimalField(_("综合得分"), max_digits=7, decimal_places=2)
    grade = models.CharField(_("等级"), max_length=1, choices=Grade.choices)
    vetoed = models.BooleanField(_("一票否决"), default=False)
    explanation = models.JSONField(_("计分说明"))
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("年度考核结果")
        verbose_name_plural = _("年度考核结果")
        ordering = ["-year_id", "-total_score"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(school__isnull=False, teacher__isnull=True, student__isnull=True)
                    | models.Q(school__isnull=True, teacher__isnull=False, student__isnull=True)
                    | models.Q(school__isnull=True, teacher__isnull=True, student__isnull=False)
                ),
                name="assessment_result_exactly_one_subject",
            ),
            models.UniqueConstraint(fields=["year", "school"], name="unique_school_result"),
            models.UniqueConstraint(fields=["year", "teacher"], name="unique_teacher_result"),
            models.UniqueConstraint(fields=["year", "student"], name="unique_student_result"),
        ]
        indexes = [models.Index(fields=["year", "grade"])]

    def __str__(self) -> str:
        return f"{self.subject} {academic_year_label(self.year_id)} {self.grade}"

    @property
    def subject(self):
        return self.school or self.teacher or self.student


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


# --- evaluation rounds (测评) --------------------------------------------------------------------


class RaterGroup(models.TextChoices):
    SELF = "self", _("自评")
    PEER = "peer", _("同事互评")
    PRINCIPAL = "principal", _("校长评价")
    STUDENT = "student", _("学生评价")
    PARENT = "parent", _("家长评价")
    PUBLIC = "public", _("社会评价")


# Groups that answer with an account, through an assignment; and groups that answer with a
# one-time code or a school's public link, anonymously.
ASSIGNED_GROUPS = (RaterGroup.SELF, RaterGroup.PEER, RaterGroup.PRINCIPAL)
CODE_GROUPS = (RaterGroup.STUDENT, RaterGroup.PARENT, RaterGroup.PUBLIC)


class Questionnaire(models.Model):
    """A questionnaire kept by the bureau: items answered on a 1–5 scale."""

    name = models.CharField(_("问卷名称"), max_length=80, unique=True)
    subject_kind = models.CharField(
        _("适用对象"), max_length=10, choices=SubjectKind.choices, default=SubjectKind.TEACHER
    )
    instructions = models.TextField(_("填写说明"), blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("测评问卷")
        verbose_name_plural = _("测评问卷")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class QuestionItem(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("问卷"), on_delete=models.CASCADE, related_name="items"
    )
    order = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("测评项目"), max_length=30)
    text = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("测评项目")
        verbose_name_plural = _("测评项目")
        ordering = ["questionnaire", "order"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "order"], name="unique_item_order")
        ]

    def __str__(self) -> str:
        return self.title


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("准备中")
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")


WEIGHT_FIELDS = {
    RaterGroup.SELF: "weight_self",
    RaterGroup.PEER: "weight_peer",
    RaterGroup.PRINCIPAL: "weight_principal",
    RaterGroup.STUDENT: "weight_student",
    RaterGroup.PARENT: "weight_parent",
    RaterGroup.PUBLIC: "weight_public",
}


def _weight(label: str, default: str) -> models.DecimalField:
    return models.DecimalField(label, max_digits=4, decimal_places=2, default=Decimal(default))


class EvaluationRound(models.Model):
    """The bureau's evaluation of one academic year and subject kind, with the weight of each
    rater group. Closed rounds feed the annual assessment."""

    year = models.ForeignKey(
        AssessmentYear, verbose_name=_("学年"), on_delete=models.PROTECT, related_name="rounds"
    )
    subject_kind = models.CharField(
        _("测评对象"), max_length=10, choices=SubjectKind.choices, default=SubjectKind.TEACHER
    )
    name = models.CharField(_("名称"), max_length=80)
    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("问卷"), on_delete=models.PROTECT, related_name="rounds"
    )
    status = models.CharField(
        _("状态"), max_length=8, choices=RoundStatus.choices, default=RoundStatus.DRAFT
    )
    closes_on = models.DateField(_("截止日期"), help_text=_("测评码在当日结束时失效"))
    peers_per_teacher = models.PositiveSmallIntegerField(
        _("每位教师互评人数"), default=3, help_text=_("系统在同校同事中均衡分配")
    )
    weight_self = _weight(_("自评权重"), "0.10")
    weight_peer = _weight(_("同事互评权重"), "0.20")
    weight_principal = _weight(_("校长评价权重"), "0.20")
    weight_student = _weight(_("学生评价权重"), "0.20")
    weight_parent = _weight(_("家长评价权重"), "0.20")
    weight_public = _weight(_("社会评价权重"), "0.10")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    opened_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("结束人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("测评轮次")
        verbose_name_plural = _("测评轮次")
        ordering = ["-year_id", "subject_kind"]
        constraints = [
            models.UniqueConstraint(fields=["year", "subject_kind"], name="one_round_per_year"),
            models.CheckConstraint(
                condition=models.Q(
                    weight_self__gte=0,
                    weight_peer__gte=0,
                    weight_principal__gte=0,
                    weight_student__gte=0,
                    weight_parent__gte=0,
                    weight_public__gte=0,
                ),
                name="round_weights_non_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(closed_at__isnull=True) | models.Q(status="closed"),
                name="round_closed_status",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def weights(self) -> dict[str, Decimal]:
        return {group: getattr(self, name) for group, name in WEIGHT_FIELDS.items()}


class RaterAssignment(models.Model):
    """Who rates whom with an account: a teacher themself, a colleague, or the school (its
    principal) for each of its teachers. Answered once; the answer never names the rater."""

    round = models.ForeignKey(
        EvaluationRound,
        verbose_name=_("测评轮次"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    group = models.CharField(
        _("评价组"),
        max_length=10,
        choices=[(g.value, g.label) for g in ASSIGNED_GROUPS],
    )
    ratee = models.ForeignKey(
        Teacher, verbose_name=_("被评教师"), on_delete=models.CASCADE, related_name="+"
    )
    rater_teacher = models.ForeignKey(
        Teacher,
        verbose_name=_("评价教师"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="rater_assignments",
    )
    rater_school = models.ForeignKey(
        School,
        verbose_name=_("评价学校"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="rater_assignments",
    )
    answered_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评价任务")
        verbose_name_plural = _("评价任务")
        ordering = ["round", "group", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        group__in=["self", "peer"],
                        rater_teacher__isnull=False,
                        rater_school__isnull=True,
                    )
                    | models.Q(
                        group="principal", rater_teacher__isnull=True, rater_school__isnull=False
                    )
                ),
                name="assignment_rater_matches_group",
            ),
            models.CheckConstraint(
                condition=~models.Q(group="self") | models.Q(rater_teacher=models.F("ratee")),
                name="self_assignment_rates_self",
            ),
            models.CheckConstraint(
                condition=~models.Q(group="peer") | ~models.Q(rater_teacher=models.F("ratee")),
                name="peer_assignment_never_self",
            ),
            models.UniqueConstraint(
                fields=["round", "ratee", "rater_teacher"],
                condition=models.Q(group__in=["self", "peer"]),
                name="one_assignment_per_rater",
            ),
            models.UniqueConstraint(
                fields=["round", "ratee"],
                condition=models.Q(group="principal"),
                name="one_principal_assignment",
            ),
        ]
        indexes = [models.Index(fields=["round", "rater_teacher"])]

    def __str__(self) -> str:
        return f"{self.get_group_display()} · {self.ratee}"


# Unambiguous characters for codes typed by hand: no 0/O, 1/I/L.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


class AccessCode(models.Model):
    """A one-time code for a student, a parent or a member of the public: printed on a sheet
    per class (or per school for the public), answered once, no account needed. The code is not
    linked to anybody, and no answer is linked to the code."""

    round = models.ForeignKey(
        EvaluationRound, verbose_name=_("测评轮次"), on_delete=models.CASCADE, related_name="codes"
    )
    group = models.CharField(
        _("评价组"), max_length=10, choices=[(g.value, g.label) for g in CODE_GROUPS]
    )
    school = models.ForeignKey(
        School, verbose_name=_("学校"), on_delete=models.CASCADE, related_name="+"
    )
    classroom = models.ForeignKey(
        "students.Classroom",
        verbose_name=_("班级"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    code = models.CharField(_("测评码"), max_length=CODE_LENGTH, unique=True)
    expires_at = models.DateTimeField(_("失效时间"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("生成人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("测评码")
        verbose_name_plural = _("测评码")
        ordering = ["round", "school", "classroom", "group", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(group="public") | models.Q(classroom__isnull=False),
                name="code_class_for_students_and_parents",
            ),
        ]
        indexes = [models.Index(fields=["round", "school", "group", "classroom"])]

    def __str__(self) -> str:
        return self.code


class Response(models.Model):
    """One answered questionnaire about one teacher. For students, parents and the public it
    says nothing about who answered; for self, peer and principal it points at the assignment
    only so that the database refuses a second answer — it is never shown."""

    round = models.ForeignKey(
        EvaluationRound,
        verbose_name=_("测评轮次"),
        on_delete=models.CASCADE,
        related_name="responses",
    )
    group = models.CharField(_("评价组"), max_length=10, choices=RaterGroup.choices)
    ratee = models.ForeignKey(
        Teacher, verbose_name=_("被评教师"), on_delete=models.CASCADE, related_name="+"
    )
    assignment = models.OneToOneField(
        RaterAssignment,
        verbose_name=_("评价任务"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="response",
    )
    # A date, not a time: a time could be matched against a code's use.
    submitted_on = models.DateField(_("提交日期"))

    class Meta:
        verbose_name = _("测评答卷")
        verbose_name_plural = _("测评答卷")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(group__in=["self", "peer", "principal"], assignment__isnull=False)
                    | models.Q(group__in=["student", "parent", "public"], assignment__isnull=True)
                ),
                name="response_anonymous_groups_unlinked",
            ),
        ]
        indexes = [models.Index(fields=["round", "ratee", "group"])]

    def __str__(self) -> str:
        return f"{self.get_group_display()} · {self.ratee}"


class Answer(models.Model):
    response = models.ForeignKey(
        Response, verbose_name=_("答卷"), on_delete=models.CASCADE, related_name="answers"
    )
    item = models.ForeignKey(
        QuestionItem, verbose_name=_("测评项目"), on_delete=models.PROTECT, related_name="+"
    )
    score = models.PositiveSmallIntegerField(_("评分"))

    class Meta:
        verbose_name = _("测评答案")
        verbose_name_plural = _("测评答案")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="answer_score_1_to_5"
            ),
            models.UniqueConstraint(fields=["response", "item"], name="one_answer_per_item"),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.score}"
