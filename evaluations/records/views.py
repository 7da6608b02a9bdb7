"""Pages every signed-in role shares: one credit record with its whole chain, its evidence, and
the subject's objection and repair forms. Scoping comes from ``credit_registry.access``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from credit_registry import access, rules
from credit_registry.access import Role, records_visible_to, role_of, teacher_of
from credit_registry.common.errors import error_text
from credit_registry.common.uploads import private_file_response
from evaluations.disputes import services as dispute_services
from evaluations.disputes.forms import ObjectionForm, RepairForm
from evaluations.models import Evidence, ObjectionEvidence, RepairEvidence
from evaluations.records import selectors, services


def visible_record(user, pk: int):
    return get_object_or_404(
        records_visible_to(user).select_related(
            "item",
            "school",
            "teacher__school",
            "student__school",
            "recorded_by",
            "returned_by",
            "amends",
        ),
        pk=pk,
    )


def way_back(user, record) -> dict:
    """Where a record's page leads back to: the list or file the user reached it from."""
    role = role_of(user)
    if role == Role.PRINCIPAL:
        return {"url": reverse("schools:records"), "label": _("本校信用记录")}
    if role == Role.TEACHER:
        if record.student_id and not record.is_published:
            # A class teacher's own proposals wait on the class page, not in the file.
            return {"url": f"{reverse('students:my_class')}#proposed", "label": _("我的班级")}
        if record.student_id:
            url = reverse("students:file", args=[record.student_id])
            return {"url": url, "label": _("学生诚信档案")}
        if record.teacher_id and record.teacher_id == getattr(teacher_of(user), "pk", None):
            return {"url": reverse("teachers:my_file"), "label": _("我的师德诚信档案")}
        return {"url": reverse("portal"), "label": _("工作台")}
    if role in (Role.BUREAU_ADMIN, Role.INSPECTOR):
        url = reverse("admin:evaluations_creditrecord_change", args=[record.pk])
        return {"url": url, "label": _("管理后台")}
    return {"url": reverse("home"), "label": _("首页")}


@login_required
def record_detail(request, pk: int):
    record = visible_record(request.user, pk)
    context = {
        **selectors.record_chain(record),
        "steps": selectors.record_steps(record),
        "evidence": record.evidence.all(),
        "actions": rules.record_actions(request.user, record, today=timezone.localdate()),
        "sees_dispute_files": access.sees_dispute_files(request.user, record),
        "objection_form": ObjectionForm(),
        "repair_form": RepairForm(),
        "returned_by": selectors.person(record.returned_by),
        "back": way_back(request.user, record),
    }
    return render(request, "evaluations/record_detail.html", context)


@login_required
@require_POST
def submit_record(request, pk: int):
    """Send a draft or a returned record (again) to the bureau."""
    record = visible_record(request.user, pk)
    if run_service(request, services.submit_record, record=record, by=request.user):
        messages.success(request, _("已提交局机关审核"))
    return redirect("record_detail", pk=record.pk)


@login_required
@require_http_methods(["GET", "POST"])
def withdraw_record(request, pk: int):
    """Withdraw a working copy: a page that says it cannot be undone, then the deletion."""
    record = visible_record(request.user, pk)
    verdict = rules.may_withdraw(request.user, record)
    if not verdict:
        messages.error(request, verdict.message)
        return redirect("record_detail", pk=record.pk)
    back = way_back(request.user, record)
    if request.method == "POST":
        if run_service(request, services.delete_draft, record=record, by=request.user):
            messages.success(request, _("信用记录#%(pk)s已撤回") % {"pk": pk})
            return redirect(back["url"])
        return redirect("record_detail", pk=record.pk)
    return render(
        request,
        "evaluations/record_withdraw.html",
        {
            "record": record,
            "back": {"url": reverse("record_detail", args=[record.pk]), "label": _("信用记录")},
        },
    )


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
    """The user's notices, newest first. New ones are shown as new on this visit and count as
    read once the page that shows them has been built, so the next visit shows them as read."""
    shown = selectors.notices_for(request.user)
    response = render(request, "evaluations/notices.html", {"notices": shown})
    services.mark_notices_read(user=request.user, notices=[n for n in shown if not n.read_at])
    return response


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
