from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from credit_registry.common.identity import (
    mask_code,
    mask_id_number,
    mask_phone,
    normalize_code,
    validate_id_number,
)
from schools.models import School


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Title(models.TextChoices):
    NONE = "none", _("未定级")
    TIER3 = "tier3", _("三级教师")
    TIER2 = "tier2", _("二级教师")
    TIER1 = "tier1", _("一级教师")
    SENIOR = "senior", _("高级教师")
    PROFESSOR = "professor", _("正高级教师")


class TeacherQuerySet(models.QuerySet):
    def at_school(self, school):
        return self.filter(school=school)


class Teacher(models.Model):
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    id_number = models.CharField(
        _("身份证号"), max_length=18, unique=True, validators=[validate_id_number]
    )
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    school = models.ForeignKey(
        School,
        verbose_name=_("现任职学校"),
        on_delete=models.PROTECT,
        related_name="teachers",
        null=True,
        blank=True,
        help_text=_("由任职记录维护；离开本区时为空"),
    )
    subject = models.CharField(_("任教学科"), max_length=30, blank=True)
    title = models.CharField(_("职称"), max_length=12, choices=Title.choices, default=Title.NONE)
    post = models.CharField(_("岗位"), max_length=40, blank=True)
    qualification_number = models.CharField(_("教师资格证号"), max_length=40, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户账号"),
        on_delete=models.SET_NULL,
        related_name="teacher",
        null=True,
        blank=True,
    )

    objects = TeacherQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("教师")
        verbose_name_plural = _("教师")
        ordering = ["school_id", "name"]
        indexes = [models.Index(fields=["school", "name"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.id_number = normalize_code(self.id_number)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone) if self.phone else ""


class Posting(models.Model):
    """One stretch of a teacher's service at one school (任职记录)."""

    teacher = models.ForeignKey(
        Teacher, verbose_name=_("教师"), on_delete=models.CASCADE, related_name="postings"
    )
    school = models.ForeignKey(
        School, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="postings"
    )
    post = models.CharField(_("岗位"), max_length=40, blank=True)
    start_date = models.DateField(_("起始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("任职记录")
        verbose_name_plural = _("任职记录")
        ordering = ["teacher", "-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="posting_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["teacher"],
                condition=models.Q(end_date__isnull=True),
                name="one_open_posting_per_teacher",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.teacher} @ {self.school} ({self.start_date}–{self.end_date or ''})"


class DegreeLevel(models.TextChoices):
    SECONDARY = "secondary", _("中专")
    COLLEGE = "college", _("大专")
    BACHELOR = "bachelor", _("本科")
    MASTER = "master", _("硕士研究生")
    DOCTOR = "doctor", _("博士研究生")


class VerificationStatus(models.TextChoices):
    PENDING = "pending", _("待核查")
    VERIFIED = "verified", _("核查通过")
    DOUBTFUL = "doubtful", _("存疑")
    FORGED = "forged", _("造假")


class Degree(models.Model):
    """A degree with its certificate number and the bureau's verification (学历甄别核查)."""

    teacher = models.ForeignKey(
        Teacher, verbose_name=_("教师"), on_delete=models.CASCADE, related_name="degrees"
    )
    level = models.CharField(_("学历"), max_length=12, choices=DegreeLevel.choices)
    institution = models.CharField(_("毕业院校"), max_length=100)
    major = models.CharField(_("专业"), max_length=60, blank=True)
    graduated_on = models.DateField(_("毕业日期"), null=True, blank=True)
    certificate_number = models.CharField(_("证书编号"), max_length=40)
    verification_status = models.CharField(
        _("核查状态"),
        max_length=10,
        choices=VerificationStatus.choices,
        default=VerificationStatus.PENDING,
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核查人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    verification_note = models.TextField(_("核查说明"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("学历")
        verbose_name_plural = _("学历")
        ordering = ["teacher", "-graduated_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "certificate_number"], name="unique_degree_certificate"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} · {self.institution}"

    @property
    def masked_certificate_number(self) -> str:
        return mask_code(self.certificate_number)
