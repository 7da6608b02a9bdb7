"""Evaluation rounds (测评): questionnaires, rounds with their steps, assignments and codes.
Individual answers (``Response``, ``Answer``) have no page on purpose: nobody browses who answered
what; results are read as group averages through the selectors."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from credit_registry.admin_bases import (
    Confirmation,
    ReadOnlyAdmin,
    RegistryInline,
    RegistryModelAdmin,
    ask_then_run,
    run_each,
)
from credit_registry.admin_filters import AcademicYearFilter
from credit_registry.common.errors import error_text
from evaluations.assessment import services as assessment_services
from evaluations.models import (
    GROUPS_OF_KIND,
    WEIGHT_FIELDS,
    AccessCode,
    EvaluationRound,
    QuestionItem,
    Questionnaire,
    RaterAssignment,
    RaterGroup,
    RoundStatus,
    SubjectKind,
)
from evaluations.rounds import selectors, services
from evaluations.rounds.forms import SchoolCodesAdminForm
from schools.models import School

# --- rounds ------------------------------------------------------------------------------------


class EvaluationRoundForm(forms.ModelForm):
    """A new round is checked by the same rule as ``evaluation_services.create_round``."""

    class Meta:
        model = EvaluationRound
        fields = [
            "year",
            "subject_kind",
            "name",
            "questionnaire",
            "closes_on",
            "peers_per_teacher",
            "weight_self",
            "weight_peer",
            "weight_principal",
            "weight_student",
            "weight_parent",
            "weight_public",
            "weight_class_teacher",
        ]

    def clean(self):
        cleaned = super().clean()
        year = cleaned.get("year")
        if year is not None and self.instance.pk is None:
            weights = {k: v for k, v in cleaned.items() if k.startswith("weight_")}
            try:
                kind = cleaned.get("subject_kind") or SubjectKind.TEACHER
                services.check_new_round(
                    year=year.pk,
                    weights=EvaluationRound(subject_kind=kind, **weights).weights(),
                    subject_kind=kind,
                )
            except ValidationError as error:
                raise ValidationError(error.messages) from None
        return cleaned


@admin.display(description=_("进度（完成/总数）"))
def round_progress(evaluation_round: EvaluationRound) -> str:
    parts = [f"{p.label} {p.done}/{p.total}" for p in selectors.round_progress(evaluation_round)]
    return "；".join(parts) or "—"


_ROUND_COLUMNS = (
    (_("测评"), str),
    (_("状态"), lambda evaluation_round: evaluation_round.get_status_display()),
    (_("进度（完成/总数）"), lambda evaluation_round: round_progress(evaluation_round)),
)


def _each_round(request, queryset, step) -> None:
    run_each(request, queryset, lambda r: step(evaluation_round=r, by=request.user))


@admin.action(description=_("开始所选测评"))
def open_rounds(modeladmin, request, queryset):
    _each_round(request, queryset, services.open_round)


@admin.action(description=_("分配评价任务（自评、同事互评、校长评价）"))
def assign_raters(modeladmin, request, queryset):
    for evaluation_round in queryset:
        try:
            s = services.assign_raters(evaluation_round=evaluation_round, by=request.user)
        except (ValidationError, PermissionDenied) as error:
            messages.error(
                request,
                gettext("%(round)s：%(error)s")
                % {"round": evaluation_round, "error": error_text(error)},
            )
        else:
            messages.success(
                request,
                gettext(
                    "%(round)s：新增自评%(self)s项、同事互评%(peer)s项、校长评价%(principal)s项"
                    "（%(schools)s所学校已分配互评）"
                )
                % {
                    "round": evaluation_round,
                    "self": s.self_created,
                    "peer": s.peer_created,
                    "principal": s.principal_created,
                    "schools": s.schools_with_peers,
                },
            )


@admin.action(description=_("生成学生、家长或社会测评码"))
def generate_codes(modeladmin, request, queryset):
    def run(evaluation_round, data):
        made = services.generate_school_codes(
            evaluation_round=evaluation_round,
            by=request.user,
            group=data["group"],
            schools=list(data["schools"] or School.objects.active()),
            per_class=data["per_class"],
        )
        messages.info(
            request,
            gettext("%(round)s：已生成%(count)s个测评码")
            % {"round": evaluation_round, "count": made},
        )

    return ask_then_run(
        modeladmin,
        request,
        queryset,
        form_class=SchoolCodesAdminForm,
        run=run,
        confirmation=Confirmation(
            title=gettext("生成测评码"),
            consequence=gettext("生成后，在“测评码”列表按学校、班级打印测评卡。"),
            columns=_ROUND_COLUMNS,
        ),
    )


@admin.action(description=_("结束所选测评并计入年度考核"))
def close_rounds(modeladmin, request, queryset):
    return ask_then_run(
        modeladmin,
        request,
        queryset,
        run=lambda evaluation_round, data: assessment_services.close_round(
            evaluation_round=evaluation_round, by=request.user
        ),
        confirmation=Confirmation(
            title=gettext("结束测评"),
            consequence=gettext("测评得分计入该学年的年度考核，并立即重新计算。"),
            irreversible=gettext("结束后不再接受答卷，未使用的测评码全部失效。"),
            columns=_ROUND_COLUMNS,
            done=lambda done: (
                gettext("已结束%(count)d轮测评，年度考核已重新计算") % {"count": len(done)}
            ),
        ),
    )


ROUND_ACTIONS = [open_rounds, assign_raters, generate_codes, close_rounds]


@admin.display(description=_("测评卡"))
def code_sheet_link(code) -> str:
    url = reverse("survey:sheet", args=[code.round_id, code.school_id])
    query = f"?group={code.group}" + (
        f"&classroom={code.classroom_id}" if code.classroom_id else ""
    )
    return format_html('<a href="{}{}">{}</a>', url, query, gettext("打印"))


class QuestionItemInline(RegistryInline):
    model = QuestionItem
    fields = ("order", "title", "text")


@admin.register(Questionnaire)
class QuestionnaireAdmin(RegistryModelAdmin):
    list_display = ("name", "subject_kind", "active")
    list_filter = ("subject_kind", "active")
    search_fields = ("name",)
    inlines = [QuestionItemInline]


@admin.register(QuestionItem)
class QuestionItemAdmin(RegistryModelAdmin):
    technical = True
    list_display = ("questionnaire", "order", "title", "text")
    list_filter = ("questionnaire",)
    list_select_related = ("questionnaire",)
    search_fields = ("title", "questionnaire__name")


@admin.register(EvaluationRound)
class EvaluationRoundAdmin(RegistryModelAdmin):
    """A round is set up here while it is being prepared (``evaluation_services.create_round``);
    opening it, assigning raters, generating codes and closing it are the actions of
    ``evaluations.admin_rounds``, each through the evaluation services."""

    form = EvaluationRoundForm
    actions = ROUND_ACTIONS
    # Progress is counted per round; there is one round a year, so the list stays short.
    list_display = (
        "name",
        "year",
        "subject_kind",
        "questionnaire",
        "status",
        "closes_on",
        round_progress,
    )
    list_filter = ("status", "subject_kind", AcademicYearFilter)
    list_select_related = ("year", "questionnaire")
    search_fields = ("name",)
    readonly_fields = (
        "status",
        "created_by",
        "created_at",
        "opened_at",
        "closed_by",
        "closed_at",
    )

    def get_readonly_fields(self, request, obj=None):
        # The kind of subject is chosen when the round is made, never changed afterwards.
        return self.readonly_fields if obj is None else ("subject_kind", *self.readonly_fields)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or obj.status == RoundStatus.DRAFT
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or obj.status == RoundStatus.DRAFT
        )

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        created = services.create_round(
            by=request.user,
            year=data["year"].pk,
            name=data["name"],
            closes_on=data["closes_on"],
            questionnaire=data["questionnaire"],
            peers_per_teacher=data["peers_per_teacher"],
            weights={
                group: data[WEIGHT_FIELDS[group]] for group in GROUPS_OF_KIND[data["subject_kind"]]
            },
            subject_kind=data["subject_kind"],
        )
        obj.pk = created.pk
        obj.refresh_from_db()
        obj._state.adding = False


@admin.register(RaterAssignment)
class RaterAssignmentAdmin(ReadOnlyAdmin):
    """Who rates whom. The bureau answers here the principal's evaluation of principals who
    also teach (a task without a school: nobody rates themself)."""

    list_display = (
        "round",
        "group",
        "ratee",
        "rater_teacher",
        "rater_school",
        "answered_at",
        "bureau_answer",
    )
    list_filter = ("group", "round")
    list_select_related = ("round", "ratee", "rater_teacher", "rater_school")
    search_fields = ("ratee__name", "rater_teacher__name", "rater_school__name")

    @admin.display(description=_("局机关作答"))
    def bureau_answer(self, assignment):
        if assignment.group != RaterGroup.PRINCIPAL or assignment.rater_school_id:
            return ""
        if assignment.answered_at:
            return _("已完成")
        return format_html(
            '<a href="{}">{}</a>', reverse("survey:assignment", args=[assignment.pk]), _("去评价")
        )


@admin.register(AccessCode)
class AccessCodeAdmin(ReadOnlyAdmin):
    """Codes are generated by the round's action and printed as cards from here."""

    list_display = (
        "code",
        "round",
        "group",
        "school",
        "classroom",
        "expires_at",
        "used_at",
        code_sheet_link,
    )
    list_filter = ("group", "round")
    list_select_related = ("round", "school", "classroom")
    search_fields = ("=code", "school__name")
