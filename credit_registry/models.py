"""Documents the registry issues, and the background batches that produce them.

Every PDF carries a verification code printed in it; :class:`IssuedDocument` keeps that code with
the SHA-256 of the exact bytes handed out, so that a presented code (and, optionally, the file
itself) can be checked on the public verification page. The row is written before the PDF is
typeset (the code has to be inside it) and completed with the hash of the final bytes.
"""

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history import register

from credit_registry.common.workdays import day_line
from schools.models import School


class DocumentKind(models.TextChoices):
    TEACHER_FILE = "teacher_file", _("教师师德诚信档案")
    STUDENT_FILE = "student_file", _("学生诚信档案")
    SCHOOL_REPORT = "school_report", _("学校年度诚信报告")
    DISTRICT_REPORT = "district_report", _("全区教育系统信用体系建设年度报告")


class IssuedDocument(models.Model):
    code = models.CharField(_("验证码"), max_length=12, unique=True)
    kind = models.CharField(_("文书类型"), max_length=20, choices=DocumentKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    subject_description = models.CharField(
        _("对象（已脱敏）"), max_length=200, help_text=_("公开核验页面显示的对象说明，不含完整姓名")
    )
    subject_key = models.CharField(
        _("对象标识"), max_length=40, blank=True, help_text=_("内部使用，如 teacher:12")
    )
    year = models.PositiveSmallIntegerField(_("学年"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, db_index=True)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    pages = models.PositiveIntegerField(_("页数"), default=0)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("出具人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("出具时间"))
    batch = models.ForeignKey(
        "ReportBatch",
        verbose_name=_("批量任务"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
    )

    class Meta:
        verbose_name = _("已出具文书")
        verbose_name_plural = _("已出具文书")
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["subject_key", "issued_at"])]

    def __str__(self) -> str:
        return f"{self.display_code} {self.title}"

    @property
    def display_code(self) -> str:
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))

    @property
    def is_complete(self) -> bool:
        return bool(self.sha256)


class BatchKind(models.TextChoices):
    SCHOOL_TEACHERS = "school_teachers", _("一所学校全体教师的师德诚信档案")
    DISTRICT_TEACHERS = "district_teachers", _("全区全体教师的师德诚信档案")
    SCHOOL_REPORTS = "school_reports", _("全区各学校年度诚信报告")


class BatchStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class BackgroundJob(models.Model):
    """What every job of the background worker keeps: who asked and when, its status, the
    task that runs it, and what went wrong."""

    status = models.CharField(
        _("状态"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.QUEUED
    )
    error = models.TextField(_("错误信息"), blank=True)
    task_id = models.CharField(_("任务编号"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def finished(self) -> bool:
        return self.status in (BatchStatus.DONE, BatchStatus.FAILED)


class ReportBatch(BackgroundJob):
    """Many PDFs made by a background task (``manage.py db_worker``) and packed into one zip."""

    kind = models.CharField(_("批量类型"), max_length=20, choices=BatchKind.choices)
    school = models.ForeignKey(
        School,
        verbose_name=_("学校"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("仅“一所学校全体教师”需要"),
    )
    year = models.PositiveSmallIntegerField(
        _("学年"), null=True, blank=True, help_text=_("学年起始年份；学校年度报告需要")
    )
    total = models.PositiveIntegerField(_("总数"), default=0)
    done = models.PositiveIntegerField(_("已完成"), default=0)
    parts_total = models.PositiveIntegerField(
        _("分片数"), default=0, help_text=_("分给多个后台进程并行生成的份数")
    )
    parts_done = models.PositiveIntegerField(_("已完成分片"), default=0)
    zip_file = models.FileField(_("压缩包"), upload_to="reports/batches/", blank=True)
    base_url = models.CharField(
        _("核验网址前缀"), max_length=200, blank=True, help_text=_("二维码指向的站点地址")
    )
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("批量生成报告")
        verbose_name_plural = _("批量生成报告")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(done__lte=models.F("total")), name="batch_done_within_total"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="school_teachers") | models.Q(school__isnull=False),
                name="batch_school_teachers_has_school",
            ),
        ]

    def __str__(self) -> str:
        scope = self.school.name if self.school_id else ""
        return f"#{self.pk} {self.get_kind_display()} {scope}".strip()

    def clean(self) -> None:
        if self.kind == BatchKind.SCHOOL_TEACHERS and self.school_id is None:
            raise ValidationError({"school": gettext("请选择学校")})
        if self.kind == BatchKind.SCHOOL_REPORTS and self.year is None:
            raise ValidationError({"year": gettext("请填写学年")})

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


class ImportStage(models.TextChoices):
    PREVIEW = "preview", _("预览")
    WRITE = "write", _("导入")


class ImportJob(BackgroundJob):
    """A large spreadsheet import run by a background task (``manage.py db_worker``): the same
    two steps as on the import page — a preview, then, once confirmed, the import — each a job,
    with its progress and its outcome."""

    resource = models.CharField(_("导入类型"), max_length=200, help_text=_("导入资源的路径"))
    model_label = models.CharField(_("数据表"), max_length=100)
    filename = models.CharField(_("文件名"), max_length=255)
    file_key = models.CharField(_("文件编号"), max_length=100)
    stage = models.CharField(_("步骤"), max_length=10, choices=ImportStage.choices)
    total = models.PositiveIntegerField(_("总行数"), default=0)
    done = models.PositiveIntegerField(_("已检查行数"), default=0)
    report = models.JSONField(_("结果"), default=dict, blank=True)

    class Meta:
        verbose_name = _("后台导入")
        verbose_name_plural = _("后台导入")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_stage_display()} {self.filename}"

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


class DocumentJob(BackgroundJob):
    """One PDF too large to typeset in the request (see ``credit_registry.document_jobs``), made
    by a background task (``manage.py db_worker``) for the user who asked for it, who downloads
    it from the job's page."""

    kind = models.CharField(_("文书类型"), max_length=20, choices=DocumentKind.choices)
    teacher = models.ForeignKey(
        "teachers.Teacher",
        verbose_name=_("教师"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    student = models.ForeignKey(
        "students.Student",
        verbose_name=_("学生"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    school = models.ForeignKey(
        School,
        verbose_name=_("学校"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("学年"), null=True, blank=True)
    records = models.PositiveIntegerField(
        _("记录数"), default=0, help_text=_("决定后台生成的规模估计")
    )
    document = models.ForeignKey(
        IssuedDocument,
        verbose_name=_("已出具文书"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    pdf_file = models.FileField(_("PDF文件"), upload_to="reports/documents/", blank=True)
    filename = models.CharField(_("文件名"), max_length=255, blank=True)
    base_url = models.CharField(_("核验网址前缀"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台生成文书")
        verbose_name_plural = _("后台生成文书")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}"

    @property
    def subject(self):
        """The teacher, student or school the document is about (None for the district)."""
        return self.teacher or self.student or self.school


class AccessAction(models.TextChoices):
    VIEW_STUDENT_FILE = "view_student_file", _("查看学生诚信档案")
    PARENT_VIEW = "parent_view", _("家长凭查询码查看子女档案")
    VIEW_TEACHER_FILE = "view_teacher_file", _("查看教师师德诚信档案")
    DOWNLOAD_FILE_PDF = "download_file_pdf", _("下载个人档案PDF")
    EXPORT_PERSONAL_DATA = "export_personal_data", _("导出个人信息")
    VIEW_PERSONAL_DATA = "view_personal_data", _("查看身份证号等个人信息")
    VIEW_STUDENT_LIST = "view_student_list", _("查看学生名单")


class AccessLog(models.Model):
    """Who looked at a person's file or took personal data out of the registry (SPEC §9).

    Written by the views that show or export such data through :func:`credit_registry.audit.
    log_access`; read by bureau staff in the admin site; never edited. It holds no personal data
    itself beyond a masked description of the subject.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("家长凭查询码查看时为空"),
    )
    role = models.CharField(_("角色"), max_length=20)
    action = models.CharField(_("操作"), max_length=24, choices=AccessAction.choices)
    subject_key = models.CharField(
        _("对象标识"), max_length=40, blank=True, help_text=_("如 student:12；导出时为空")
    )
    subject_description = models.CharField(_("对象（已脱敏）"), max_length=200, blank=True)
    detail = models.CharField(_("说明"), max_length=300, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("个人信息访问日志")
        verbose_name_plural = _("个人信息访问日志")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["subject_key", "at"]),
            models.Index(fields=["user", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.subject_description}"


# --- the official calendar (节假日安排) ---------------------------------------------------------


class HolidayYear(models.Model):
    """One year's arrangement of holidays and adjusted working days. A year is confirmed once
    the State Council's notice is entered (or a maintained library knew it); deadlines that
    cross an unconfirmed year are provisional and follow when it is confirmed."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    notice = models.CharField(
        _("通知文号"), max_length=80, blank=True, help_text=_("如：国办发明电〔2026〕×号")
    )
    source = models.CharField(_("来源"), max_length=40, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")
        ordering = ["-year"]

    def __str__(self) -> str:
        return gettext("%(year)s年节假日安排") % {"year": self.year}

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


class HolidayDay(models.Model):
    """A day that differs from Monday–Friday: a holiday on a weekday, or a working weekend
    day (调休)."""

    holiday_year = models.ForeignKey(
        HolidayYear, verbose_name=_("年份"), on_delete=models.CASCADE, related_name="days"
    )
    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("调休上班"), default=False)
    name = models.CharField(_("名称"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("节假日")
        verbose_name_plural = _("节假日")
        ordering = ["date"]

    def __str__(self) -> str:
        return day_line(self.date, self.is_workday, self.name)

    def clean(self):
        if self.holiday_year_id and self.date and self.date.year != self.holiday_year.year:
            raise ValidationError(_("日期不在该年份内"))


# Accounts keep a history too (who changed a role, a name or the active flag, and when); the
# password hash and the last login are left out of it.
register(User, app="credit_registry", excluded_fields=["password", "last_login"])


class LoginLock(AccessAttempt):
    """django-axes' failed-login counters as the bureau's workbench shows them (登录锁定)."""

    class Meta:
        proxy = True
        verbose_name = _("登录锁定")
        verbose_name_plural = _("登录锁定")
