"""The subject's objection and repair forms, posted from the record's page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from evaluations.disputes import services
from evaluations.disputes.forms import ObjectionForm, RepairForm
from evaluations.records.views import run_service, visible_record


@login_required
@require_POST
def object_to_record(request, pk: int):
    record = visible_record(request.user, pk)
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写异议理由 / Give the reason for the objection.")
    elif run_service(
        request,
        services.file_objection,
        record=record,
        by=request.user,
        reason=form.cleaned_data["reason"],
    ):
        messages.success(request, "异议已提交，局机关将在10个工作日内处理。")
    return redirect("record_detail", pk=record.pk)


@login_required
@require_POST
def apply_for_repair(request, pk: int):
    record = visible_record(request.user, pk)
    form = RepairForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请完整填写修复申请 / Complete the repair application.")
    elif run_service(
        request, services.apply_for_repair, record=record, by=request.user, **form.cleaned_data
    ):
        messages.success(request, "信用修复申请已提交。")
    return redirect("record_detail", pk=record.pk)
