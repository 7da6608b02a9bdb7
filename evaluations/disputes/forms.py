from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from evaluations.models import FILES_PER_DISPUTE, RepairProof
from schools.forms import MultipleFileField


class DisputeFilesField(MultipleFileField):
    """Up to three files of evidence; their content is checked by the service."""

    def __init__(self, **kwargs):
        super().__init__(
            label=_("证明材料"),
            required=False,
            help_text=_("可选：PDF、PNG或JPEG，每个不超过10MB，最多3个"),
            **kwargs,
        )
        self.widget.attrs["accept"] = "application/pdf,image/png,image/jpeg"

    def clean(self, data, initial=None):
        files = super().clean(data, initial)
        if len(files) > FILES_PER_DISPUTE:
            raise ValidationError(gettext("最多上传%(most)s个文件") % {"most": FILES_PER_DISPUTE})
        return files


class ObjectionForm(forms.Form):
    reason = forms.CharField(
        label=_("异议理由"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_("请说明事实依据；可在公布之日起15日内提出。"),
    )
    files = DisputeFilesField()


class RepairForm(forms.Form):
    proof_kind = forms.ChoiceField(label=_("整改证明类型"), choices=RepairProof.choices)
    proof = forms.CharField(
        label=_("整改情况说明"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )
    files = DisputeFilesField()
