"""Forms of the evaluation pages: the code box, the 1–5 questionnaire, code generation."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluations.models import CODE_GROUPS, RaterGroup
from evaluations.rounds.selectors import normalize_access_code
from schools.models import School

SCALE = [
    (5, gettext_lazy("5 非常满意")),
    (4, gettext_lazy("4 满意")),
    (3, gettext_lazy("3 一般")),
    (2, gettext_lazy("2 不满意")),
    (1, gettext_lazy("1 非常不满意")),
]
# A class teacher's conduct evaluation: a compact grid, one select per item and student.
CONDUCT_SCALE = [
    ("", "—"),
    (5, gettext_lazy("5 优秀")),
    (4, gettext_lazy("4 良好")),
    (3, gettext_lazy("3 一般")),
    (2, gettext_lazy("2 较差")),
    (1, gettext_lazy("1 差")),
]
# The principal's page of all the school's teachers: the same grid, the questionnaire's scale.
GRID_SCALE = [("", "—"), *SCALE]


class CodeEntryForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("测评码"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "inputmode": "text"}
        ),
    )

    def clean_code(self) -> str:
        return normalize_access_code(self.cleaned_data["code"])


class RatingForm(forms.Form):
    """One radio row per item per teacher. With ``require_all`` (an assignment: one teacher)
    every item is required; otherwise a respondent rates the teachers they choose, each one
    completely or not at all. A ``grid`` (one select per item and row) may take ``scale``; with
    ``keep_incomplete`` a row begun but not finished is marked on its empty fields while the
    complete rows still come out in ``ratings`` (saved row by row, the rest kept on the page)."""

    def __init__(
        self,
        *args,
        teachers,
        items,
        require_all: bool = False,
        labels=None,
        grid: bool = False,
        scale=None,
        keep_incomplete: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.teachers = list(teachers)
        self.labels = labels or {t.pk: t.name for t in self.teachers}
        self.items = list(items)
        self.require_all = require_all
        self.keep_incomplete = keep_incomplete
        self.ratings = {}
        for teacher in self.teachers:
            for item in self.items:
                self.fields[self.field_name(teacher, item)] = forms.TypedChoiceField(
                    label=item.title,
                    help_text=item.text,
                    choices=scale or (CONDUCT_SCALE if grid else SCALE),
                    coerce=int,
                    empty_value=None,
                    required=require_all,
                    widget=forms.Select if grid else forms.RadioSelect,
                    error_messages={"required": _("请选择评分")},
                )

    @staticmethod
    def field_name(teacher, item) -> str:
        return f"t{teacher.pk}_i{item.pk}"

    def rows(self):
        """(teacher's label, [bound fields]) for the template."""
        return [
            (self.labels[teacher.pk], [self[self.field_name(teacher, item)] for item in self.items])
            for teacher in self.teachers
        ]

    def clean(self):
        cleaned = super().clean()
        ratings = {}
        for teacher in self.teachers:
            scores = {
                item.pk: cleaned.get(self.field_name(teacher, item))
                for item in self.items
                if cleaned.get(self.field_name(teacher, item)) not in (None, "")
            }
            if not scores:
                continue
            if len(scores) != len(self.items) and self.keep_incomplete:
                for item in self.items:
                    if item.pk not in scores:
                        self.add_error(self.field_name(teacher, item), _("请选择评分"))
                continue
            if len(scores) != len(self.items):
                raise ValidationError(
                    _("所评价的每位教师，每个项目都须评分"),
                    code="incomplete",
                )
            ratings[teacher.pk] = scores
        if not ratings and not self.errors:
            raise ValidationError(_("请至少评价一位教师"), code="empty")
        self.ratings = ratings
        return cleaned


class ChooseTeachersForm(forms.Form):
    teachers = forms.TypedMultipleChoiceField(
        label=gettext_lazy("请选择您了解的教师"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("请至少选择一位教师")},
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teachers"].choices = choices


class GenerateCodesForm(forms.Form):
    """A school's own codes: one class (students, parents) or the school (the public)."""

    group = forms.ChoiceField(
        label=gettext_lazy("评价组"), choices=[(g.value, g.label) for g in CODE_GROUPS]
    )
    classroom = forms.TypedChoiceField(
        label=gettext_lazy("班级"), coerce=int, required=False, empty_value=None
    )
    count = forms.IntegerField(label=gettext_lazy("数量"), min_value=1, max_value=500, initial=50)

    def __init__(self, *args, classrooms, groups=None, **kwargs):
        super().__init__(*args, **kwargs)
        if groups is not None:  # the groups that rate this round's kind of subject
            self.fields["group"].choices = [
                (g.value, g.label) for g in CODE_GROUPS if g.value in groups
            ]
        self.fields["classroom"].choices = [("", _("—（社会评价按学校生成）"))] + [
            (c.pk, str(c)) for c in classrooms
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("group") != RaterGroup.PUBLIC and not cleaned.get("classroom"):
            self.add_error("classroom", _("学生和家长测评码须选择班级"))
        return cleaned


class SchoolCodesAdminForm(forms.Form):
    """The bureau's batch over the chosen schools."""

    group = forms.ChoiceField(
        label=gettext_lazy("评价组"), choices=[(g.value, g.label) for g in CODE_GROUPS]
    )
    per_class = forms.IntegerField(
        label=gettext_lazy("每班（社会评价：每校）份数"),
        min_value=1,
        max_value=500,
        required=False,
        help_text=gettext_lazy("留空：学生、家长按班级在读人数生成；社会评价每校50份"),
    )
    schools = forms.ModelMultipleChoiceField(
        label=gettext_lazy("学校"),
        queryset=School.objects.active().order_by("code"),
        widget=forms.SelectMultiple(attrs={"size": 12}),
        help_text=gettext_lazy("不选则为全部在办学校"),
        required=False,
    )
