from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from credit_registry.common.identity import normalize_code

validate_school_code = RegexValidator(
    r"^\d{10}$",
    _("学校标识码应为10位数字"),
    code="school_code",
)


class SchoolKind(models.TextChoices):
    KINDERGARTEN = "kindergarten", _("幼儿园")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初级中学")
    NINE_YEAR = "nine_year", _("九年一贯制学校")
    COMPLETE_SECONDARY = "complete_secondary", _("完全中学")
    SENIOR = "senior", _("高级中学")
    VOCATIONAL = "vocational", _("中等职业学校")
    TRAINING = "training", _("校外培训机构")


class Ownership(models.TextChoices):
    PUBLIC = "public", _("公办")
    PRIVATE = "private", _("民办")


class SchoolQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def target_assessed(self):
        """Public schools take part in the target assessment (目标考核)."""
        return self.filter(ownership=Ownership.PUBLIC).exclude(kind=SchoolKind.TRAINING)

    def annually_inspected(self):
        """Private schools and training institutions take the annual inspection (年检)."""
        return self.filter(
            models.Q(ownership=Ownership.PRIVATE) | models.Q(kind=SchoolKind.TRAINING)
        )


class School(models.Model):
    code = models.CharField(
        _("学校标识码"), max_length=10, unique=True, validators=[validate_school_code]
    )
    name = models.CharField(_("学校名称"), max_length=100)
    kind = models.CharField(_("办学类型"), max_length=24, choices=SchoolKind.choices)
    ownership = models.CharField(_("举办性质"), max_length=10, choices=Ownership.choices)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    principal_name = models.CharField(_("校长（负责人）"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    active = models.BooleanField(_("在办"), default=True)

    objects = SchoolQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("学校")
        verbose_name_plural = _("学校")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{10}$"), name="school_code_10_digits"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.code = normalize_code(self.code)

    @property
    def takes_target_assessment(self) -> bool:
        return self.ownership == Ownership.PUBLIC and self.kind != SchoolKind.TRAINING


class LeadingGroupRole(models.TextChoices):
    LEADER = "leader", _("组长")
    DEPUTY = "deputy", _("副组长")
    MEMBER = "member", _("成员")


class LeadingGroupMember(models.Model):
    """A member of a credit-work leading group (领导小组); with no school, of the bureau itself."""

    school = models.ForeignKey(
        School,
        verbose_name=_("学校"),
        on_delete=models.CASCADE,
        related_name="leading_group",
        null=True,
        blank=True,
        help_text=_("留空表示教育局领导小组"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    position = models.CharField(_("职务"), max_length=60, blank=True)
    role = models.CharField(_("小组职务"), max_length=10, choices=LeadingGroupRole.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("领导小组成员")
        verbose_name_plural = _("领导小组成员")
        ordering = ["school", "role", "name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_role_display()}）"


class SchoolAccount(models.Model):
    """Links a user account to the school it acts for (principal or school administrator)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="school_account",
    )
    school = models.ForeignKey(
        School, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="accounts"
    )
    position = models.CharField(_("职务"), max_length=40, default="校长")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("学校管理账号")
        verbose_name_plural = _("学校管理账号")

    def __str__(self) -> str:
        return f"{self.school} · {self.user}"


# --- schools' own integrity work (诚信校园) ------------------------------------------------------


class ActivityKind(models.TextChoices):
    LECTURE = "lecture", _("讲座")
    SEMINAR = "seminar", _("座谈会")
    CLASS_MEETING = "class_meeting", _("班队会")
    QUIZ = "quiz", _("知识竞赛")
    ESSAY = "essay", _("征文")
    SPEECH = "speech", _("演讲")
    MORAL_FORUM = "moral_forum", _("道德讲堂")
    OTHER = "other", _("其他")


class IntegrityActivity(models.Model):
    """An integrity-education activity a school held. Each counts toward the school's record
    score (``AssessmentPolicy.activity_points`` each, at most ``activity_cap`` a year) unless the
    bureau excludes it, with a reason, after looking at it."""

    school = models.ForeignKey(
        School, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="activities"
    )
    kind = models.CharField(_("活动形式"), max_length=16, choices=ActivityKind.choices)
    title = models.CharField(_("活动名称"), max_length=100)
    held_on = models.DateField(_("活动日期"))
    year = models.PositiveSmallIntegerField(_("学年"), help_text=_("由活动日期得出"))
    participants = models.CharField(
        _("参加对象"), max_length=100, help_text=_("如：七年级全体学生、全体教职工")
    )
    participant_count = models.PositiveIntegerField(_("参加人数"))
    description = models.TextField(_("活动内容"))
    excluded_reason = models.CharField(
        _("不予计分的理由"),
        max_length=200,
        blank=True,
        help_text=_("局机关核查后认为不应计分时填写；留空即计分"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("诚信教育活动")
        verbose_name_plural = _("诚信教育活动")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["school", "year"]), models.Index(fields=["year"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(participant_count__gte=1), name="activity_has_participants"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.title}"

    @property
    def counts(self) -> bool:
        return not self.excluded_reason


def activity_photo_path(instance: "ActivityPhoto", filename: str) -> str:
    return f"activities/{instance.activity_id}/{instance.sha256[:16]}{instance.extension}"


class ActivityPhoto(models.Model):
    activity = models.ForeignKey(
        IntegrityActivity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.FileField(_("照片"), upload_to=activity_photo_path, max_length=200)
    extension = models.CharField(_("扩展名"), max_length=8)
    content_type = models.CharField(_("文件类型"), max_length=40)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("活动照片")
        verbose_name_plural = _("活动照片")
        ordering = ["activity", "id"]

    def __str__(self) -> str:
        return f"{self.activity} #{self.pk}"


class ChecklistArea(models.TextChoices):
    """The six areas of lawful operation a school is checked on every year."""

    CURRICULUM = "curriculum", _("课程设置")
    TEACHING_ROUTINE = "teaching_routine", _("教学常规")
    ADMISSION = "admission", _("招生")
    FEES = "fees", _("收费")
    ADVERTISING = "advertising", _("广告")
    OPENNESS = "openness", _("校务公开")


class ChecklistKind(models.TextChoices):
    SELF_ASSESSMENT = "self", _("学校自查")
    INSPECTION = "inspection", _("局机关检查")


class OperationChecklist(models.Model):
    """A year's lawful-operation checklist of one school, filed once as the school's own
    self-assessment and once as the bureau's inspection. Filed whole, never edited: a failed
    area becomes a proposed credit record the bureau approves or returns."""

    school = models.ForeignKey(
        School, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="checklists"
    )
    year = models.PositiveSmallIntegerField(_("学年"))
    kind = models.CharField(_("类型"), max_length=12, choices=ChecklistKind.choices)
    note = models.TextField(_("总体说明"), blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    filed_at = models.DateTimeField(_("填报时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("依法办学检查表")
        verbose_name_plural = _("依法办学检查表")
        ordering = ["-year", "school", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "year", "kind"], name="one_checklist_per_school_year_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.year} {self.get_kind_display()}"

    @property
    def failed(self) -> int:
        return sum(1 for entry in self.entries.all() if not entry.passed)


class ChecklistEntry(models.Model):
    checklist = models.ForeignKey(
        OperationChecklist,
        verbose_name=_("检查表"),
        on_delete=models.CASCADE,
        related_name="entries",
    )
    area = models.CharField(_("检查项目"), max_length=20, choices=ChecklistArea.choices)
    passed = models.BooleanField(_("符合要求"))
    finding = models.TextField(_("情况说明"), blank=True)
    record = models.ForeignKey(
        "evaluations.CreditRecord",
        verbose_name=_("生成的信用记录"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("检查项目")
        verbose_name_plural = _("检查项目")
        ordering = ["checklist", "id"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "area"], name="one_entry_per_area"),
            models.CheckConstraint(
                condition=models.Q(passed=True) | ~models.Q(finding=""),
                name="failed_entry_has_finding",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_area_display()} {'✓' if self.passed else '✗'}"
