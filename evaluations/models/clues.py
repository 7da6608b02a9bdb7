"""Complaint clues (信访线索) and the notes of their investigation (明察暗访)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from evaluations.models.files import AttachedFile
from evaluations.models.records import CreditRecord
from schools.models import School
from teachers.models import Teacher


class ClueStatus(models.TextChoices):
    RECEIVED = "received", _("已受理")
    ASSIGNED = "assigned", _("已分派")
    UNSUBSTANTIATED = "unsubstantiated", _("不属实，已办结")
    SUBSTANTIATED = "substantiated", _("属实，已提出记录")


class ClueChannel(models.TextChoices):
    STAFF = "staff", _("工作人员录入")
    PUBLIC = "public", _("公众投诉")
    HOTLINE = "hotline", _("电话信访")


# Photos a complainant may add on the public form.
PHOTOS_PER_CLUE = 3
# 31**10 receipt numbers (受理编号): unguessable, and read off a phone without ambiguity.
RECEIPT_LENGTH = 10


class ComplaintClue(models.Model):
    receipt_number = models.CharField(
        _("受理编号"),
        max_length=RECEIPT_LENGTH,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text=_("反映人凭此编号查询办理进度"),
    )
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

    @property
    def display_receipt_number(self) -> str:
        number = self.receipt_number or ""
        return f"{number[:5]}-{number[5:]}" if number else ""


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


class CluePhoto(AttachedFile):
    folder = "clues"
    owner_field = "clue"

    clue = models.ForeignKey(
        ComplaintClue, verbose_name=_("线索"), on_delete=models.PROTECT, related_name="photos"
    )

    class Meta:
        verbose_name = _("线索照片")
        verbose_name_plural = _("线索照片")
        ordering = ["clue", "id"]
