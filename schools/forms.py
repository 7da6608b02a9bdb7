from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from evaluations.models import CatalogItem, Polarity
from schools.models import ActivityKind, ChecklistArea, School


class DateInput(forms.DateInput):
    """The browser's date picker, which reads and sends ISO dates whatever the language (a
    localized 2026/12/01 left it empty, so a form shown again lost its dates)."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=format or "%Y-%m-%d")


class CatalogItemChoiceField(forms.ModelChoiceField):
    """Each item with what choosing it means: 有偿补课（-10分，较重）, veto items marked."""

    def label_from_instance(self, item: CatalogItem) -> str:
        points = item.default_points
        points = points.quantize(1) if points == points.to_integral() else points.normalize()
        values = {"name": item.name, "points": f"{points:+f}"}
        if item.polarity == Polarity.POSITIVE:
            return gettext("%(name)s（%(points)s分）") % values
        values["severity"] = item.get_severity_display()
        if item.vetoes:
            return gettext("%(name)s（%(points)s分，%(severity)s，一票否决）") % values
        return gettext("%(name)s（%(points)s分，%(severity)s）") % values


class ProposeRecordForm(forms.Form):
    item = CatalogItemChoiceField(
        label=_("信用事项"), queryset=CatalogItem.objects.none(), empty_label=_("请选择信用事项")
    )
    occurred_on = forms.DateField(label=_("发生日期"), widget=DateInput)
    description = forms.CharField(
        label=_("事实陈述"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("写明时间、地点、经过和依据；局机关审核通过并公布后计入信用档案。"),
    )
    evidence = forms.FileField(
        label=_("证据材料"), required=False, help_text=_("可选：PDF、PNG或JPEG，不超过10MB")
    )

    def __init__(self, *args, subject_kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = CatalogItem.objects.filter(
            subject_kind=subject_kind, active=True
        ).order_by("polarity", "code")
        self.fields["occurred_on"].initial = timezone.localdate()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("活动形式"), choices=ActivityKind.choices)
    title = forms.CharField(label=_("活动名称"), max_length=100)
    held_on = forms.DateField(label=_("活动日期"), widget=DateInput)
    participants = forms.CharField(
        label=_("参加对象"), max_length=100, help_text=_("如：七年级全体学生、全体教职工")
    )
    participant_count = forms.IntegerField(label=_("参加人数"), min_value=1, max_value=100000)
    description = forms.CharField(
        label=_("活动内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    photos = MultipleFileField(
        label=_("活动照片"), required=False, help_text=_("PNG或JPEG，每张不超过10MB，最多9张")
    )


class ChecklistForm(forms.Form):
    """One pass/fail choice and a finding per area of lawful operation."""

    PASSED_CHOICES = [("yes", _("符合要求")), ("no", _("不符合"))]

    note = forms.CharField(
        label=_("总体说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for area in ChecklistArea:
            self.fields[f"{area.value}_passed"] = forms.ChoiceField(
                label=area.label, choices=self.PASSED_CHOICES, widget=forms.RadioSelect
            )
            self.fields[f"{area.value}_finding"] = forms.CharField(
                label=_("情况说明"),
                required=False,
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def area_fields(self):
        return [
            (area, self[f"{area.value}_passed"], self[f"{area.value}_finding"])
            for area in ChecklistArea
        ]

    def clean(self):
        cleaned = super().clean()
        for area in ChecklistArea:
            if (
                cleaned.get(f"{area.value}_passed") == "no"
                and not (cleaned.get(f"{area.value}_finding") or "").strip()
            ):
                self.add_error(
                    f"{area.value}_finding",
                    _("不符合的项目须写明情况"),
                )
        return cleaned

    def results(self) -> dict[str, tuple[bool, str]]:
        return {
            area.value: (
                self.cleaned_data[f"{area.value}_passed"] == "yes",
                self.cleaned_data.get(f"{area.value}_finding") or "",
            )
            for area in ChecklistArea
        }


class InspectionForm(ChecklistForm):
    """The bureau's inspection: the same checklist, for a school it chooses."""

    school = forms.ModelChoiceField(label=_("学校"), queryset=School.objects.active())

    field_order = ["school"]
