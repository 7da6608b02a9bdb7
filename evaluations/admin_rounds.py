"""Admin actions and forms for evaluation rounds (测评) and degree verification (学历甄别核查).

``evaluations/admin.py`` registers the pages; this module gives them their steps, each through
``evaluations.evaluation_services``:

- ``EvaluationRoundAdmin``: ``form = EvaluationRoundForm``, ``actions = ROUND_ACTIONS`` and
  ``round_progress`` in ``list_display``;
- ``AccessCodeAdmin``: ``code_sheet_link`` in ``list_display`` (the printable sheet);
- ``DegreeAdmin`` (teachers): ``actions = DEGREE_ACTIONS``.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import format_html

from credit_registry.admin import ask_then_run, error_text, run_each
from evaluations import evaluation_selectors as selectors
from evaluations import evaluation_services as services
from evaluations.forms_survey import SchoolCodesAdminForm, VerificationNoteForm
from evaluations.models import EvaluationRound
from schools.models import School
from teachers.models import VerificationStatus

# --- rounds ------------------------------------------------------------------------------------


class EvaluationRoundForm(forms.ModelForm):
    """A new round is checked by the same rule as ``evaluation_services.create_round``."""

    class Meta:
        model = EvaluationRound
        fields = [
            "year",
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
        ]

    def clean(self):
        cleaned = super().clean()
        year = cleaned.get("year")
        if year is not None and self.instance.pk is None:
            weights = {k: v for k, v in cleaned.items() if k.startswith("weight_")}
            try:
                services.check_new_round(year=year.pk, weights=EvaluationRound(**weights).weights())
            except ValidationError as error:
                raise ValidationError(error.messages) from None
        return cleaned


@admin.display(description="进度（完成/总数）")
def round_progress(evaluation_round: EvaluationRound) -> str:
    parts = [f"{p.label} {p.done}/{p.total}" for p in selectors.round_progress(evaluation_round)]
    return "；".join(parts) or "—"


def _each_round(request, queryset, step) -> None:
    run_each(request, queryset, lambda r: step(evaluation_round=r, by=request.user))


@admin.action(description="开始所选测评")
def open_rounds(modeladmin, request, queryset):
    _each_round(request, queryset, services.open_round)


@admin.action(description="分配评价任务（自评、同事互评、校长评价）")
def assign_raters(modeladmin, request, queryset):
    for evaluation_round in queryset:
        try:
            s = services.assign_raters(evaluation_round=evaluation_round, by=request.user)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, f"{evaluation_round}：{error_text(error)}")
        else:
            messages.success(
                request,
                f"{evaluation_round}：新增自评{s.self_created}项、同事互评{s.peer_created}项、"
                f"校长评价{s.principal_created}项（{s.schools_with_peers}所学校已分配互评）",
            )


@admin.action(description="生成学生、家长或社会测评码")
def generate_codes(modeladmin, request, queryset):
    def run(evaluation_round, data):
        made = services.generate_school_codes(
            evaluation_round=evaluation_round,
            by=request.user,
            group=data["group"],
            schools=list(data["schools"] or School.objects.active()),
            per_class=data["per_class"],
        )
        messages.info(request, f"{evaluation_round}：已生成{made}个测评码 / {made} codes made.")

    return ask_then_run(
        modeladmin,
        request,
        queryset,
        form_class=SchoolCodesAdminForm,
        title="生成测评码（在“测评码”列表按学校、班级打印测评卡）",
        run=run,
    )


@admin.action(description="结束所选测评并计入年度考核")
def close_rounds(modeladmin, request, queryset):
    return ask_then_run(
        modeladmin,
        request,
        queryset,
        form_class=forms.Form,
        title="结束测评：不再接受答卷，测评得分计入该学年年度考核并立即重新计算",
        run=lambda evaluation_round, data: services.close_round(
            evaluation_round=evaluation_round, by=request.user
        ),
    )


ROUND_ACTIONS = [open_rounds, assign_raters, generate_codes, close_rounds]


@admin.display(description="测评卡")
def code_sheet_link(code) -> str:
    url = reverse("survey:sheet", args=[code.round_id, code.school_id])
    query = f"?group={code.group}" + (
        f"&classroom={code.classroom_id}" if code.classroom_id else ""
    )
    return format_html('<a href="{}{}">打印</a>', url, query)


# --- degree verification -----------------------------------------------------------------------


def _verify_one(request, degree, status: str, note: str = "") -> None:
    _, record = services.verify_degree(degree=degree, by=request.user, status=status, note=note)
    if record is not None:
        messages.warning(
            request,
            f"{degree.teacher}：已提出“学历造假”信用记录#{record.pk}，待审核公布 / "
            "credential-fraud record proposed for approval.",
        )


@admin.action(description="学历核查：核查通过")
def mark_degrees_verified(modeladmin, request, queryset):
    run_each(
        request, queryset, lambda degree: _verify_one(request, degree, VerificationStatus.VERIFIED)
    )


def _with_note(status: str, name: str, title: str):
    def action(modeladmin, request, queryset):
        return ask_then_run(
            modeladmin,
            request,
            queryset,
            form_class=VerificationNoteForm,
            title=title,
            run=lambda degree, data: _verify_one(request, degree, status, data["note"]),
        )

    action.__name__ = name
    return admin.action(description=f"学历核查：{VerificationStatus(status).label}")(action)


mark_degrees_doubtful = _with_note(
    VerificationStatus.DOUBTFUL, "mark_degrees_doubtful", "学历核查：存疑（请写明核查情况）"
)
mark_degrees_forged = _with_note(
    VerificationStatus.FORGED,
    "mark_degrees_forged",
    "学历核查：造假（将同时提出“学历造假”信用记录，待审核）",
)
DEGREE_ACTIONS = [mark_degrees_verified, mark_degrees_doubtful, mark_degrees_forged]
