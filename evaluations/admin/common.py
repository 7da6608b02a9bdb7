"""Small pieces the evaluations admin pages share."""

from django import forms
from django.contrib import admin
from django.contrib.admin import ActionLocation
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from credit_registry.admin_bases import who_text as who_text
from credit_registry.admin_filters import SchoolFilter
from credit_registry.common.years import academic_year_label, academic_year_of
from evaluations.models import (
    AssessmentYear,
    SubjectKind,
)
from evaluations.records.selectors import subjects_at_schools

BOTH_PLACES = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]


def when_text(value) -> str:
    return date_format(timezone.localtime(value), "Y-m-d H:i") if value else "—"


def html_table(headers, rows):
    """A small read-only table for an object page; every cell is escaped."""
    head = format_html_join("", "<th>{}</th>", ((header,) for header in headers))
    body = format_html_join(
        "",
        "<tr>{}</tr>",
        ((format_html_join("", "<td>{}</td>", ((cell,) for cell in row)),) for row in rows),
    )
    return format_html("<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>", head, body)


def record_anchor(record) -> str:
    url = reverse("admin:evaluations_creditrecord_change", args=[record.pk])
    return format_html('<a href="{}">{}</a>', url, record)


def subject_label(obj) -> str:
    """A record's or result's subject for a list: a student by masked name only."""
    if obj.student_id:
        return f"{SubjectKind.STUDENT.label} {obj.student.masked_name}"
    if obj.teacher_id:
        return f"{SubjectKind.TEACHER.label} {obj.teacher.name}"
    return f"{SubjectKind.SCHOOL.label} {obj.school.name}"


def decision_page(request, model_admin, obj, form, title):
    return TemplateResponse(
        request,
        "admin/credit_registry/decision.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.opts,
            "title": title,
            "object": obj,
            "form": form,
        },
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}))


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("退回理由"), max_length=200)


class AcademicYearFilter(admin.SimpleListFilter):
    """Academic years from the (short) list of assessment years, not a DISTINCT over records."""

    title = _("学年")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = set(AssessmentYear.objects.values_list("year", flat=True))
        years.add(academic_year_of(timezone.localdate()))
        return [(str(year), academic_year_label(year)) for year in sorted(years, reverse=True)]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(year=int(self.value()))
        return queryset


class SubjectSchoolFilter(SchoolFilter):
    """Records or results about the school, its teachers and its students."""

    def rows_of(self, school_id: int):
        return subjects_at_schools([school_id])


class SubjectKindFilter(admin.SimpleListFilter):
    """School, teacher or student: the one subject column a row fills."""

    title = _("对象类型")
    parameter_name = "subject"

    def lookups(self, request, model_admin):
        return SubjectKind.choices

    def queryset(self, request, queryset):
        if self.value() in SubjectKind.values:
            return queryset.filter(**{f"{self.value()}__isnull": False})
        return queryset
