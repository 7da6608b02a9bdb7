from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from credit_registry import rules
from schools.forms import DateInput
from schools.models import School
from students.models import Acknowledger, PledgeKind


class PledgeForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=PledgeKind.choices)
    classrooms = forms.ModelMultipleChoiceField(
        label=_("班级"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    exam_name = forms.CharField(
        label=_("考试名称"), max_length=60, required=False, help_text=_("诚信考试承诺书必填")
    )
    text = forms.CharField(
        label=_("承诺内容"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("留空则使用标准文本"),
    )

    def __init__(self, *args, classrooms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["classrooms"].queryset = classrooms

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == PledgeKind.EXAM and not cleaned.get("exam_name", "").strip():
            self.add_error("exam_name", _("请填写考试名称"))
        return cleaned


class CodeForm(forms.Form):
    code = forms.CharField(label=_("确认码"), max_length=40)


class AcknowledgeForm(forms.Form):
    code = forms.CharField(widget=forms.HiddenInput, max_length=40)
    who = forms.ChoiceField(
        label=_("确认人"), choices=Acknowledger.choices, widget=forms.RadioSelect
    )
    confirm = forms.BooleanField(label=_("我已认真阅读，并郑重承诺遵守以上内容"))


class ParentCodeForm(forms.Form):
    code = forms.CharField(label=_("查询码"), max_length=40)


class TransferForm(forms.Form):
    DESTINATIONS = [
        ("district", _("转入本区其他学校")),
        ("away", _("转出本区")),
        ("graduate", _("毕业")),
    ]
    destination = forms.ChoiceField(label=_("事项"), choices=DESTINATIONS, widget=forms.RadioSelect)
    to_school = forms.ModelChoiceField(
        label=_("转入学校"), queryset=School.objects.none(), required=False
    )
    on = forms.DateField(label=_("日期"), widget=DateInput)
    note = forms.CharField(label=_("说明"), max_length=150, required=False)

    def __init__(self, *args, student, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_school"].queryset = (
            School.objects.active()
            .filter(kind__in=rules.school_kinds_taking(student))
            .exclude(pk=student.school_id)
            .order_by("name")
        )
        self.fields["on"].initial = timezone.localdate()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("destination") == "district" and not cleaned.get("to_school"):
            self.add_error("to_school", _("请选择转入学校"))
        return cleaned


class PlaceForm(forms.Form):
    classroom = forms.ModelChoiceField(label=_("班级"), queryset=None)

    def __init__(self, *args, classrooms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["classroom"].queryset = classrooms
