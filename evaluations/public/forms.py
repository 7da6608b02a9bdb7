"""The one filter form of every public list: search by name, school or item, subject kind, kind of
school and academic year. It reads the query string and gives ``lists.ListFilter``; a value that
does not fit is dropped, never an error page."""

from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext_lazy as _

from credit_registry.common.years import academic_year_label
from evaluations.assessment.lists import ListFilter
from evaluations.models import SubjectKind
from schools.models import SchoolKind


class ListFilterForm(forms.Form):
    q = forms.CharField(label=_("名称、学校或事项"), max_length=40, required=False)
    subject = forms.ChoiceField(
        label=_("类别"),
        choices=[
            ("", _("学校和教师")),
            (SubjectKind.SCHOOL, _("学校")),
            (SubjectKind.TEACHER, _("教师")),
        ],
        required=False,
    )
    school_kind = forms.ChoiceField(
        label=_("学校类型"), choices=[("", _("全部类型")), *SchoolKind.choices], required=False
    )
    year = forms.TypedChoiceField(label=_("所属学年"), coerce=int, empty_value=None, required=False)

    def __init__(self, data, *, years, any_year: bool = True, teachers: bool = True):
        """``years``: the academic years offered, newest first; ``any_year``: whether "every
        year" is a choice (else the newest is the default); ``teachers``: whether the list
        holds teachers at all."""
        super().__init__({k: v for k, v in data.items() if k != "page"} or None)
        choices = [(year, academic_year_label(year)) for year in years]
        self.fields["year"].choices = [("", _("全部学年")), *choices] if any_year else choices
        self.default_year = None if any_year or not years else years[0]
        self.fields["year"].initial = self.default_year
        if not teachers:
            del self.fields["subject"]

    def criteria(self) -> ListFilter:
        """The values that fit; anything else is left out."""
        if self.is_bound:
            self.is_valid()
            values = {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}
        else:
            values = {}
        return ListFilter(
            q=values.get("q", "").strip(),
            subject=values.get("subject", ""),
            school_kind=values.get("school_kind", ""),
            year=values.get("year", self.default_year),
        )

    def query(self) -> str:
        """The filter as a query string, for the pager's links."""
        criteria = self.criteria()
        pairs = [
            ("q", criteria.q),
            ("subject", criteria.subject),
            ("school_kind", criteria.school_kind),
            ("year", "" if criteria.year is None else criteria.year),
        ]
        return urlencode([(key, value) for key, value in pairs if value != ""])
