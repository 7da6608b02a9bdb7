"""The annual assessment: years, versioned policies with their consequence rules, results."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from credit_registry.common.years import academic_year_label
from evaluations.models.records import SubjectKind
from schools.models import School
from students.models import Student
from teachers.models import Teacher


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
    school_evaluation_weight = models.DecimalField(
        _("测评权重（学校）"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.30"),
        help_text=_("家长和社会对学校的测评在学校综合分中的权重，其余为记录分"),
    )
    student_evaluation_weight = models.DecimalField(
        _("测评权重（学生）"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.30"),
        help_text=_("班主任德育品行评价在学生综合分中的权重，其余为记录分"),
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
    grade_a_needs_clean_year = models.BooleanField(
        _("评为A须当年无失信记录"),
        default=True,
        help_text=_("有计分的失信记录时，即使分数达到A的下限，也只评为B"),
    )
    institution_listing_years = models.PositiveSmallIntegerField(
        _("D级民办学校、培训机构列入黑名单的学年数"),
        default=1,
        help_text=_("从被评为D的学年起算，另加的学年数；0表示只在当学年列入"),
    )
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

    history = HistoricalRecords()

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
                condition=models.Q(
                    school_evaluation_weight__gte=0,
                    school_evaluation_weight__lte=1,
                    student_evaluation_weight__gte=0,
                    student_evaluation_weight__lte=1,
                ),
                name="policy_subject_weights_between_0_and_1",
            ),
            models.CheckConstraint(
                condition=models.Q(grade_a__gte=models.F("grade_b"))
                & models.Q(grade_b__gte=models.F("grade_c")),
                name="policy_grade_bands_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{academic_year_label(self.year_id)} v{self.version}"

    def weights_for(self, kind: str) -> tuple[Decimal, Decimal]:
        """(record weight, evaluation weight) of a kind of subject."""
        if kind == "school":
            return Decimal(1) - self.school_evaluation_weight, self.school_evaluation_weight
        if kind == "student":
            return Decimal(1) - self.student_evaluation_weight, self.student_evaluation_weight
        return self.record_weight, self.evaluation_weight

    def grade_for(self, score: Decimal, *, clean_year: bool = True) -> str:
        """The grade of a total; ``clean_year`` is False when the subject has a counting
        negative record in the year (no A then, when the policy says so)."""
        if score >= self.grade_a and (clean_year or not self.grade_a_needs_clean_year):
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
    NEGATIVE_RECORD = "negative_record", _("有失信记录")
    SANCTION = "sanction", _("处分期内")


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
    trigger = models.CharField(_("触发条件"), max_length=20, choices=Trigger.choices)
    purpose = models.CharField(_("事项"), max_length=24, choices=Purpose.choices)
    effect = models.CharField(_("效果"), max_length=12, choices=Effect.choices)
    extra_years = models.PositiveSmallIntegerField(_("延续学年数"), default=0)

    history = HistoricalRecords()

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
