from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from credit_registry.identity import normalize_code

validate_school_code = RegexValidator(
    r"^\d{10}$",
    _("学校标识码应为10位数字 / The school code must be exactly 10 digits."),
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

    class Meta:
        verbose_name = _("学校管理账号")
        verbose_name_plural = _("学校管理账号")

    def __str__(self) -> str:
        return f"{self.school} · {self.user}"
