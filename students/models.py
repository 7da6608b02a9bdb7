import contextlib
import datetime

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from credit_registry.common.identity import (
    birth_date_from_id,
    mask_code,
    mask_id_number,
    mask_name,
    normalize_code,
    validate_id_number,
)
from schools.models import School
from teachers.models import Gender, Teacher

validate_student_number = RegexValidator(
    r"^[A-Z0-9]{6,20}$",
    _("学籍号应为6至20位字母或数字"),
    code="student_number",
)


class Classroom(models.Model):
    school = models.ForeignKey(
        School, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="classrooms"
    )
    grade = models.CharField(_("年级"), max_length=20)
    name = models.CharField(_("班级"), max_length=20)
    entry_year = models.PositiveSmallIntegerField(_("入学年份"))
    head_teacher = models.ForeignKey(
        Teacher,
        verbose_name=_("班主任"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="head_of_classes",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("班级")
        verbose_name_plural = _("班级")
        ordering = ["school", "entry_year", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "entry_year", "name"], name="unique_class_per_school_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.grade}{self.name}"


class StudentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("在读")
    GRADUATED = "graduated", _("已毕业")
    TRANSFERRED_OUT = "transferred_out", _("已转出本区")


class Student(models.Model):
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    student_number = models.CharField(
        _("学籍号"), max_length=20, unique=True, validators=[validate_student_number]
    )
    id_number = models.CharField(
        _("身份证号"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_id_number],
    )
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    school = models.ForeignKey(
        School, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="students"
    )
    classroom = models.ForeignKey(
        Classroom,
        verbose_name=_("班级"),
        on_delete=models.PROTECT,
        related_name="students",
        null=True,
        blank=True,
    )
    status = models.CharField(
        _("学籍状态"), max_length=16, choices=StudentStatus.choices, default=StudentStatus.ENROLLED
    )
    file_frozen_at = models.DateTimeField(_("档案冻结时间"), null=True, blank=True)
    guardian_consent = models.BooleanField(
        _("监护人已同意扩展处理"),
        default=False,
        help_text=_("14周岁以下学生超出学校职责范围处理个人信息时须取得监护人同意"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("学生")
        verbose_name_plural = _("学生")
        ordering = ["school_id", "classroom_id", "name"]
        indexes = [
            models.Index(fields=["school", "classroom"]),
            models.Index(fields=["name"]),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.student_number = normalize_code(self.student_number)
        if self.id_number:
            self.id_number = normalize_code(self.id_number)
            if not self.birth_date:
                with contextlib.suppress(ValueError):
                    self.birth_date = birth_date_from_id(self.id_number)
        else:
            self.id_number = None

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number or "")

    @property
    def masked_student_number(self) -> str:
        """The 学籍号 as every page outside the bureau's admin shows it (it often embeds the ID
        number)."""
        return mask_code(self.student_number)

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    def age_on(self, day: datetime.date) -> int | None:
        if not self.birth_date:
            return None
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class Guardian(models.Model):
    student = models.ForeignKey(
        Student, verbose_name=_("学生"), on_delete=models.CASCADE, related_name="guardians"
    )
    name = models.CharField(_("姓名"), max_length=50)
    relation = models.CharField(_("关系"), max_length=20)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("监护人")
        verbose_name_plural = _("监护人")

    def __str__(self) -> str:
        return f"{self.name}（{self.relation}）"


class EnrolmentEvent(models.TextChoices):
    ENTERED = "entered", _("入学")
    TRANSFERRED_IN = "transferred_in", _("转入")
    TRANSFERRED_OUT = "transferred_out", _("转出")
    PLACED = "placed", _("编班")
    GRADUATED = "graduated", _("毕业")


class Enrolment(models.Model):
    """The student's enrolment history: every entry, transfer and graduation, never rewritten."""

    student = models.ForeignKey(
        Student, verbose_name=_("学生"), on_delete=models.CASCADE, related_name="enrolments"
    )
    school = models.ForeignKey(
        School, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="enrolments"
    )
    classroom = models.ForeignKey(
        Classroom, verbose_name=_("班级"), on_delete=models.SET_NULL, null=True, blank=True
    )
    event = models.CharField(_("事项"), max_length=16, choices=EnrolmentEvent.choices)
    date = models.DateField(_("日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("学籍变动")
        verbose_name_plural = _("学籍变动")
        ordering = ["student", "date", "id"]

    def __str__(self) -> str:
        return f"{self.student} {self.get_event_display()} {self.date}"


# --- pledges and the parent's view ---------------------------------------------------------------


class PledgeKind(models.TextChoices):
    YEARLY = "yearly", _("诚信保证书")
    EXAM = "exam", _("诚信考试承诺书")


class PledgeQuerySet(models.QuerySet):
    def with_counts(self):
        return self.annotate(
            slip_count=models.Count("slips"),
            acknowledged_count=models.Count(
                "slips", filter=models.Q(slips__acknowledged_at__isnull=False)
            ),
        )


class Pledge(models.Model):
    """A pledge issued to a class: the yearly integrity pledge (诚信保证书) or the pledge for one
    exam (诚信考试承诺书). Every enrolled student of the class gets a slip with a one-time code
    that the student or a parent uses to acknowledge it."""

    kind = models.CharField(_("类型"), max_length=8, choices=PledgeKind.choices)
    classroom = models.ForeignKey(
        Classroom, verbose_name=_("班级"), on_delete=models.PROTECT, related_name="pledges"
    )
    year = models.PositiveSmallIntegerField(_("学年"))
    exam_name = models.CharField(_("考试名称"), max_length=60, blank=True)
    text = models.TextField(_("承诺内容"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发放人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("发放时间"), auto_now_add=True)

    objects = PledgeQuerySet.as_manager()

    class Meta:
        verbose_name = _("诚信承诺书")
        verbose_name_plural = _("诚信承诺书")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["classroom", "year"],
                condition=models.Q(kind="yearly"),
                name="one_yearly_pledge_per_class",
            ),
            models.UniqueConstraint(
                fields=["classroom", "year", "exam_name"],
                condition=models.Q(kind="exam"),
                name="one_exam_pledge_per_class_and_exam",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="yearly") | ~models.Q(exam_name=""),
                name="exam_pledge_names_exam",
            ),
        ]

    def __str__(self) -> str:
        title = self.get_kind_display()
        return f"{self.classroom} {title}{f'（{self.exam_name}）' if self.exam_name else ''}"


class Acknowledger(models.TextChoices):
    STUDENT = "student", _("学生本人")
    PARENT = "parent", _("家长")


class PledgeSlip(models.Model):
    """One student's copy of a pledge with its one-time code; acknowledged at most once."""

    pledge = models.ForeignKey(
        Pledge, verbose_name=_("承诺书"), on_delete=models.CASCADE, related_name="slips"
    )
    student = models.ForeignKey(
        Student, verbose_name=_("学生"), on_delete=models.PROTECT, related_name="pledge_slips"
    )
    code = models.CharField(_("确认码"), max_length=10, unique=True)
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acknowledged_by = models.CharField(
        _("确认人"), max_length=8, choices=Acknowledger.choices, blank=True
    )

    class Meta:
        verbose_name = _("承诺书回执")
        verbose_name_plural = _("承诺书回执")
        ordering = ["pledge", "student__name"]
        constraints = [
            models.UniqueConstraint(fields=["pledge", "student"], name="one_slip_per_student"),
            models.CheckConstraint(
                condition=models.Q(acknowledged_at__isnull=True, acknowledged_by="")
                | models.Q(acknowledged_at__isnull=False) & ~models.Q(acknowledged_by=""),
                name="slip_acknowledged_with_who",
            ),
        ]
        indexes = [models.Index(fields=["student", "pledge"])]

    def __str__(self) -> str:
        return f"{self.pledge} · {self.student.masked_name}"


class ParentCode(models.Model):
    """A code a school hands to a parent to read their child's file without an account. Only a
    hash is kept: the code is shown once, when issued; a new code revokes the earlier ones."""

    student = models.ForeignKey(
        Student, verbose_name=_("学生"), on_delete=models.CASCADE, related_name="parent_codes"
    )
    code_hash = models.CharField(_("码的哈希"), max_length=64, unique=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发放人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("发放时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("失效时间"))
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("家长查询码")
        verbose_name_plural = _("家长查询码")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"{self.student.masked_name} {self.issued_at:%Y-%m-%d}"
