"""Objections (异议) and credit repair (信用修复): what a record's subject asks of the bureau."""

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from evaluations.models.files import AttachedFile
from evaluations.models.records import CreditRecord

# Files a subject may add to an objection or a repair application.
FILES_PER_DISPUTE = 3


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
    due_provisional = models.BooleanField(
        _("期限暂按周一至周五计算"),
        default=False,
        help_text=_("期限跨入尚未确认节假日安排的年份；该年确认后自动重算"),
    )
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


class ObjectionEvidence(AttachedFile):
    folder = "objections"
    owner_field = "objection"

    objection = models.ForeignKey(
        Objection, verbose_name=_("异议"), on_delete=models.PROTECT, related_name="evidence"
    )

    class Meta:
        verbose_name = _("异议材料")
        verbose_name_plural = _("异议材料")
        ordering = ["objection", "id"]


class RepairEvidence(AttachedFile):
    folder = "repairs"
    owner_field = "application"

    application = models.ForeignKey(
        RepairApplication,
        verbose_name=_("信用修复申请"),
        on_delete=models.PROTECT,
        related_name="evidence",
    )

    class Meta:
        verbose_name = _("修复申请材料")
        verbose_name_plural = _("修复申请材料")
        ordering = ["application", "id"]
