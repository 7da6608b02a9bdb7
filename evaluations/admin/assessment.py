"""Assessment years, versioned policies with their consequence rules, and the results with
their explanation."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from credit_registry import access
from credit_registry.admin_bases import (
    Confirmation,
    ReadOnlyAdmin,
    RegistryInline,
    RegistryModelAdmin,
    academic_year_column,
    ask_then_run,
    person_column,
)
from credit_registry.admin_filters import AcademicYearFilter
from credit_registry.admin_spreadsheets import SpreadsheetAdminMixin
from credit_registry.common.years import academic_year_label
from evaluations.admin.common import (
    SubjectKindFilter,
    SubjectSchoolFilter,
    html_table,
    subject_label,
)
from evaluations.assessment import services
from evaluations.assessment.resources import AssessmentResultResource
from evaluations.assessment.scoring import explanation_note, line_label
from evaluations.models import (
    AssessmentPolicy,
    AssessmentResult,
    AssessmentYear,
    ConsequenceRule,
)
from evaluations.workbench import selectors as workbench


@admin.register(AssessmentYear)
class AssessmentYearAdmin(RegistryModelAdmin):
    list_display = (
        academic_year_column(),
        "closed_at",
        person_column(AssessmentYear, "closed_by"),
    )
    list_select_related = ("closed_by",)
    actions = ["close"]

    def get_readonly_fields(self, request, obj=None):
        return ("year", "closed_at", "closed_by") if obj is not None else ("closed_at", "closed_by")

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def has_decide_permission(self, request):
        return access.is_bureau(request.user)

    def save_model(self, request, obj, form, change):
        services.ensure_year(year=obj.year, by=request.user)

    @admin.action(description=_("关闭所选学年（重算后冻结结果）"), permissions=["decide"])
    def close(self, request, queryset):
        return ask_then_run(
            self,
            request,
            queryset,
            run=lambda year, data: services.close_year(year=year.year, by=request.user),
            confirmation=Confirmation(
                title=gettext("关闭学年"),
                consequence=gettext("关闭前按现行政策重算该学年的全部考核结果。"),
                irreversible=gettext(
                    "关闭后，该学年的考核政策和考核结果永久冻结，不能再登记该学年的信用记录；"
                    "关闭不能撤销。"
                ),
                columns=(
                    (_("学年"), lambda year: academic_year_label(year.year)),
                    (_("考核结果"), lambda year: year.results.count()),
                    (
                        _("尚未公布的记录"),
                        lambda year: workbench.unfinished_records(year.year).count(),
                    ),
                ),
                done=lambda done: (
                    gettext("已关闭%(years)s，考核结果已冻结")
                    % {"years": "、".join(academic_year_label(y.year) for y in done)}
                ),
            ),
        )


class ConsequenceRuleInline(RegistryInline):
    model = ConsequenceRule
    read_only = True
    can_delete = False


@admin.register(AssessmentPolicy)
class AssessmentPolicyAdmin(RegistryModelAdmin):
    """A policy is never edited: the add form creates the next version of a year's policy
    (``services.create_policy_version``); saved versions are read-only."""

    list_display = (
        "__str__",
        "year",
        "version",
        "base_score",
        "positive_cap",
        "grade_a",
        "grade_b",
        "grade_c",
        "note",
        person_column(AssessmentPolicy, "created_by"),
        "created_at",
    )
    list_filter = (AcademicYearFilter,)
    list_select_related = ("year", "created_by")
    inlines = [ConsequenceRuleInline]
    readonly_fields = ("version", "created_by", "created_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return [f.name for f in AssessmentPolicy._meta.fields]
        return self.readonly_fields

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        values = {
            name: value
            for name, value in form.cleaned_data.items()
            if name not in ("year", "note", "version")
        }
        created = services.create_policy_version(
            year=form.cleaned_data["year"].year,
            by=request.user,
            note=form.cleaned_data.get("note", ""),
            **values,
        )
        obj.pk = created.pk
        obj.refresh_from_db()
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        pass  # the rules are copied by the service from the previous version


@admin.register(ConsequenceRule)
class ConsequenceRuleAdmin(ReadOnlyAdmin):
    """Rules belong to a policy version and change only with a new version."""

    list_display = ("policy", "subject_kind", "trigger", "purpose", "effect", "extra_years")
    list_filter = ("subject_kind", "trigger", "purpose", "effect")
    list_select_related = ("policy",)


@admin.register(AssessmentResult)
class AssessmentResultAdmin(SpreadsheetAdminMixin, ReadOnlyAdmin):
    resource_classes = [AssessmentResultResource]
    importable = False  # results are computed, never imported
    list_display = (
        "subject_display",
        "year",
        "record_score",
        "evaluation_score",
        "total_score",
        "grade",
        "vetoed",
    )
    list_filter = (SubjectSchoolFilter, SubjectKindFilter, AcademicYearFilter, "grade", "vetoed")
    list_select_related = ("year", "school", "teacher", "student")
    search_fields = ("teacher__name", "school__name", "=student__student_number")
    fields = (
        "subject_display",
        "year",
        "policy",
        "record_score",
        "evaluation_score",
        "total_score",
        "grade",
        "vetoed",
        "explanation_table",
        "computed_at",
    )
    readonly_fields = fields

    @admin.display(description=_("对象"))
    def subject_display(self, result):
        return subject_label(result)

    def get_export_queryset(self, request):
        # The export names each teacher's and student's school.
        return (
            super()
            .get_export_queryset(request)
            .select_related("teacher__school", "student__school")
        )

    @admin.display(description=_("计分说明"))
    def explanation_table(self, result):
        explanation = result.explanation or {}
        rows = [
            (line_label(line), line.get("date") or "", line.get("points", ""))
            for line in explanation.get("lines", [])
        ]
        rows.append((gettext("记录分"), "", explanation.get("record_score", "")))
        rows += [
            (line_label(line), line.get("date") or "", line.get("points", ""))
            for line in explanation.get("components", [])
        ]
        rows.append((gettext("综合得分"), "", explanation.get("total", "")))
        table = html_table([_("项目"), _("日期"), _("分值")], rows)
        if explanation.get("veto"):
            veto = explanation_note(explanation, "veto")
            return format_html("{}<p>{}：{}</p>", table, _("一票否决"), veto)
        return table
