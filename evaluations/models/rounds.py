"""Evaluation rounds (测评): questionnaires, rater assignments, one-time codes and answers."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from evaluations.models.assessment import AssessmentYear
from evaluations.models.records import SubjectKind
from schools.models import School
from teachers.models import Teacher


class RaterGroup(models.TextChoices):
    SELF = "self", _("自评")
    PEER = "peer", _("同事互评")
    PRINCIPAL = "principal", _("校长评价")
    STUDENT = "student", _("学生评价")
    PARENT = "parent", _("家长评价")
    PUBLIC = "public", _("社会评价")
    CLASS_TEACHER = "class_teacher", _("班主任德育品行评价")


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
    RaterGroup.CLASS_TEACHER: "weight_class_teacher",
}
# Who rates whom, by the kind of subject a round evaluates (the other groups weigh 0).
GROUPS_OF_KIND = {
    SubjectKind.TEACHER: (
        RaterGroup.SELF,
        RaterGroup.PEER,
        RaterGroup.PRINCIPAL,
        RaterGroup.STUDENT,
        RaterGroup.PARENT,
        RaterGroup.PUBLIC,
    ),
    SubjectKind.SCHOOL: (RaterGroup.PARENT, RaterGroup.PUBLIC),
    SubjectKind.STUDENT: (RaterGroup.CLASS_TEACHER,),
}
# The column of a response that names the one rated, by the kind of round.
RATEE_FIELD = {
    SubjectKind.TEACHER: "ratee_id",
    SubjectKind.SCHOOL: "ratee_school_id",
    SubjectKind.STUDENT: "ratee_student_id",
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
        _("每位教师互评人数"),
        default=5,
        help_text=_("系统在同校同事中均衡分配；不少于测评组最少有效答卷数，互评组才能计入"),
    )
    weight_self = _weight(_("自评权重"), "0.10")
    weight_peer = _weight(_("同事互评权重"), "0.20")
    weight_principal = _weight(_("校长评价权重"), "0.20")
    weight_student = _weight(_("学生评价权重"), "0.20")
    weight_parent = _weight(_("家长评价权重"), "0.20")
    weight_public = _weight(_("社会评价权重"), "0.10")
    weight_class_teacher = _weight(_("班主任评价权重"), "0")
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
        """The weight of each group that rates this kind of subject."""
        return {
            group: getattr(self, WEIGHT_FIELDS[group])
            for group in GROUPS_OF_KIND[self.subject_kind]
        }


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
                    # The principal's evaluation: by the school's account, or by the bureau
                    # (no school) for a principal who also teaches.
                    | models.Q(group="principal", rater_teacher__isnull=True)
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
    group = models.CharField(_("评价组"), max_length=16, choices=RaterGroup.choices)
    ratee = models.ForeignKey(
        Teacher,
        verbose_name=_("被评教师"),
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
    )
    ratee_school = models.ForeignKey(
        School,
        verbose_name=_("被评学校"),
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
    )
    ratee_student = models.ForeignKey(
        "students.Student",
        verbose_name=_("被评学生"),
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
    )
    # A student's conduct is evaluated once a term by the class teacher.
    term = models.PositiveSmallIntegerField(_("学期"), null=True, blank=True)
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
                    | models.Q(
                        group__in=["student", "parent", "public", "class_teacher"],
                        assignment__isnull=True,
                    )
                ),
                name="response_anonymous_groups_unlinked",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        ratee__isnull=False, ratee_school__isnull=True, ratee_student__isnull=True
                    )
                    | models.Q(
                        ratee__isnull=True, ratee_school__isnull=False, ratee_student__isnull=True
                    )
                    | models.Q(
                        ratee__isnull=True, ratee_school__isnull=True, ratee_student__isnull=False
                    )
                ),
                name="response_exactly_one_ratee",
            ),
            models.UniqueConstraint(
                fields=["round", "ratee_student", "term"],
                condition=models.Q(group="class_teacher"),
                name="one_conduct_evaluation_per_term",
            ),
        ]
        indexes = [
            models.Index(fields=["round", "ratee", "group"]),
            models.Index(fields=["round", "ratee_school", "group"]),
            models.Index(fields=["round", "ratee_student", "group"]),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_group_display()} · {self.ratee or self.ratee_school or self.ratee_student}"
        )


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
