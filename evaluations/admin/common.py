"""Small pieces the evaluations admin pages share."""

from django import forms
from django.contrib import admin
from django.contrib.admin import ActionLocation
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from credit_registry.admin_bases import who_text as who_text
from credit_registry.admin_filters import SchoolFilter
from evaluations.models import (
    SubjectKind,
)
from evaluations.records import selectors
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


def file_links(files: list[tuple[str, str]]) -> str:
    """Files as links, one a line, for a list column or a read-only field; "—" for none."""
    if not files:
        return "—"
    return format_html_join(
        mark_safe("<br>"), '<a href="{}">{}</a>', ((url, name) for name, url in files)
    )


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


def school_name(record) -> str:
    """The school a record's subject belongs to (the school itself for a school's record)."""
    school = record.subject_school
    return school.name if school else "—"


def record_columns():
    """What a decision on records needs, one column each: the confirmation pages' table."""
    return (
        (_("编号"), lambda r: f"#{r.pk}"),
        (_("对象"), subject_label),
        (_("学校"), school_name),
        (_("信用事项"), lambda r: r.item.name),
        (_("分值"), lambda r: f"{r.points:+.2f}"),
        (_("严重程度"), lambda r: r.item.get_severity_display()),
        (_("一票否决"), lambda r: _("是") if r.item.vetoes else _("否")),
        (_("发生日期"), lambda r: date_format(r.occurred_on, "Y-m-d")),
        (_("事实"), lambda r: Truncator(r.narrative).chars(60)),
        (_("证明材料"), lambda r: r.evidence_count),
        (_("状态"), lambda r: r.get_status_display()),
    )


def records_for_confirmation(queryset):
    """The selected records with everything the confirmation table shows, in one query."""
    return queryset.select_related("item", "school", "teacher__school", "student__school").annotate(
        evidence_count=Count("evidence")
    )


def decision_page(request, model_admin, obj, form, title):
    """The page of one decision: the object, and for an objection or a repair application the
    record it is about — its facts, points, evidence and history — beside the form. Files filed
    with the object itself (an objection's evidence, a complaint's photos) come from the model
    admin's ``attached_files``."""
    record = getattr(obj, "record", None)
    attached = getattr(model_admin, "attached_files", None)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": title,
        "object": obj,
        "form": form,
        "attached_files": attached(obj) if attached else [],
        "attached_files_label": getattr(model_admin, "attached_files_label", ""),
    }
    if record is not None:
        chain = selectors.record_chain(record)
        context.update(
            record=record,
            record_subject=subject_label(record),
            record_school=school_name(record),
            record_url=reverse("admin:evaluations_creditrecord_change", args=[record.pk]),
            evidence=[
                (e.original_name, reverse("record_evidence", args=[record.pk, e.pk]))
                for e in record.evidence.order_by("id")
            ],
            history=[
                (when_text(e.at), e.get_action_display(), who_text(e.actor), e.reason)
                for e in chain["ledger"]
            ],
        )
    return TemplateResponse(request, "admin/credit_registry/decision.html", context)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}))


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("退回理由"), max_length=200)


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
