"""Pages every signed-in role shares: one credit record with its whole chain, its evidence, and
the subject's objection and repair forms. Scoping comes from ``credit_registry.access``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from credit_registry import access, rules
from credit_registry.access import records_visible_to
from credit_registry.common.errors import error_text
from credit_registry.common.uploads import private_file_response
from evaluations.disputes import services as dispute_services
from evaluations.disputes.forms import ObjectionForm, RepairForm
from evaluations.models import Evidence, Notice, ObjectionEvidence, RepairEvidence
from evaluations.records import selectors


def visible_record(user, pk: int):
    return get_object_or_404(
        records_visible_to(user).select_related(
            "item", "school", "teacher__school", "student__school", "recorded_by", "amends"
        ),
        pk=pk,
    )


@login_required
def record_detail(request, pk: int):
    record = visible_record(request.user, pk)
    context = {
        **selectors.record_chain(record),
        "evidence": record.evidence.all(),
        "actions": rules.record_actions(request.user, record, today=timezone.localdate()),
        "sees_dispute_files": access.sees_dispute_files(request.user, record),
        "objection_form": ObjectionForm(),
        "repair_form": RepairForm(),
    }
    return render(request, "evaluations/record_detail.html", context)


def run_service(request, action, **kwargs) -> bool:
    try:
        action(**kwargs)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
        return False
    return True


@login_required
def evidence_file(request, pk: int, evidence_pk: int):
    """Evidence is served only through here, to those who may see the record."""
    record = visible_record(request.user, pk)
    evidence = get_object_or_404(Evidence, pk=evidence_pk, record=record)
    return private_file_response(
        evidence.file, content_type=evidence.content_type, filename=evidence.original_name
    )


# The files of an objection or a repair application: (who sees the owner, file model, its key).
DISPUTE_FILES = {
    "objection": (access.objections_visible_to, ObjectionEvidence, "objection"),
    "repair": (access.repairs_visible_to, RepairEvidence, "application"),
}


@login_required
def dispute_file(request, kind: str, pk: int, file_pk: int):
    """A file of an objection or a repair application, to the subject's side and the bureau."""
    visible_to, model, owner = DISPUTE_FILES[kind]
    disputed = get_object_or_404(visible_to(request.user), pk=pk)
    attached = get_object_or_404(model, pk=file_pk, **{owner: disputed})
    return private_file_response(
        attached.file, content_type=attached.content_type, filename=attached.original_name
    )


@login_required
def notices(request):
    items = Notice.objects.filter(recipient=request.user)[:100]
    Notice.objects.filter(recipient=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return render(request, "evaluations/notices.html", {"notices": items})


@login_required
@require_POST
def object_to_record(request, pk: int):
    record = visible_record(request.user, pk)
    form = ObjectionForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _form_error(form, _("请填写异议理由")))
    elif run_service(
        request,
        dispute_services.file_objection,
        record=record,
        by=request.user,
        reason=form.cleaned_data["reason"],
        files=form.cleaned_data["files"],
    ):
        messages.success(request, _("异议已提交，局机关将在10个工作日内处理。"))
    return redirect("record_detail", pk=record.pk)


@login_required
@require_POST
def apply_for_repair(request, pk: int):
    record = visible_record(request.user, pk)
    form = RepairForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _form_error(form, _("请完整填写修复申请")))
    elif run_service(
        request,
        dispute_services.apply_for_repair,
        record=record,
        by=request.user,
        **form.cleaned_data,
    ):
        messages.success(request, _("信用修复申请已提交。"))
    return redirect("record_detail", pk=record.pk)


def _form_error(form, fallback: str) -> str:
    """What is wrong with an objection's or an application's files, else the fallback."""
    return form.errors["files"][0] if "files" in form.errors else fallback
