from django import forms
from django.utils.translation import gettext_lazy as _

from evaluations.models import RepairProof


class ObjectionForm(forms.Form):
    reason = forms.CharField(
        label=_("异议理由"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_("请说明事实依据；可在公布之日起15日内提出。"),
    )


class RepairForm(forms.Form):
    proof_kind = forms.ChoiceField(label=_("整改证明类型"), choices=RepairProof.choices)
    proof = forms.CharField(
        label=_("整改情况说明"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )
