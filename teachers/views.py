"""The teacher's ethics-integrity file (我的师德诚信档案) and evaluation tasks.

A teacher reaches only their own file: ``/teacher/`` is always their own, and
``/teacher/<id>/file/`` is looked up in ``access.teachers_visible_to`` — the bureau sees every
teacher, a principal the school's, a teacher only themself; anyone else's id gives 404.
Objections and credit repair are asked on the shared record page (``record_detail``).
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from credit_registry import freshness, rules
from credit_registry.access import Role, role_of, teacher_of, teachers_visible_to
from credit_registry.audit import log_access
from credit_registry.models import AccessAction
from credit_registry.reports.data import teacher_file as teacher_file_data
from evaluations.rounds import selectors as evaluation_selectors


def _own_teacher(request):
    if role_of(request.user) != Role.TEACHER:
        raise PermissionDenied(_("此页面只供教师本人使用"))
    return teacher_of(request.user)


def _render_file(request, teacher, *, own: bool):
    return freshness.page(request, lambda: _file_page(request, teacher, own=own))


def _file_page(request, teacher, *, own: bool):
    context = teacher_file_data(teacher, record_page=request.GET.get("page") or 1)
    today = timezone.localdate()
    for entry in context["records"]:
        entry.actions = rules.record_actions(request.user, entry.record, today=today)
    tasks = list(evaluation_selectors.open_tasks(request.user)) if own else []
    context.update(
        back=_way_back(request.user, own),
        own=own,
        round_results=evaluation_selectors.teacher_round_results(teacher),
        pending_tasks=sum(1 for t in tasks if t.answered_at is None),
        today=today,
    )
    return render(request, "teachers/file.html", context)


def _way_back(user, own: bool) -> dict | None:
    """A school's or the bureau's reader came from a list; a teacher's own file is home."""
    role = role_of(user)
    if own or role == Role.TEACHER:
        return None
    if role == Role.PRINCIPAL:
        return {"url": reverse("schools:teachers"), "label": _("本校教师")}
    return {"url": reverse("admin:index"), "label": _("管理后台")}


@login_required
def my_file(request):
    return _render_file(request, _own_teacher(request), own=True)


@login_required
def teacher_file(request, pk: int):
    teacher = get_object_or_404(teachers_visible_to(request.user), pk=pk)
    own = teacher == teacher_of(request.user)
    if not own:
        log_access(request.user, AccessAction.VIEW_TEACHER_FILE, teacher)
    return _render_file(request, teacher, own=own)


@login_required
def evaluations(request):
    """The teacher's evaluation tasks in open rounds: the self-evaluation and assigned peers."""
    _own_teacher(request)
    tasks = list(evaluation_selectors.open_tasks(request.user))
    return render(
        request,
        "teachers/evaluations.html",
        {
            "pending": [t for t in tasks if t.answered_at is None],
            "done": [t for t in tasks if t.answered_at is not None],
        },
    )
