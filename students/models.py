import contextlib
import datetime

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from credit_registry.identity import (
    birth_date_from_id,
    mask_id_number,
    mask_name,
    normalize_code,
    validate_id_number,
)
from schools.models import School
from teachers.models import Gender, Teacher

validate_student_number = RegexValidator(
    r"^[A-Z0-9]{6,20}$",
    _("学籍号应为6至20位字母或数字 / The student number must be 6 to 20 letters or digits."),
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

    class Meta:
        verbose_name = _("监护人")
        verbose_name_plural = _("监护人")

    def __str__(self) -> str:
        return f"{self.name}（{self.relation}）"


class EnrolmentEvent(models.TextChoices):
    ENTERED = "entered", _("入学")
    TRANSFERRED_IN = "transferred_in", _("转入")
    TRANSFERRED_OUT = "transferred_out", _("转出")
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
