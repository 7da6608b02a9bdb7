"""Students' integrity files (学生诚信档案), pledges, the parent's view and transfers.

Staff pages look every student up in ``access.students_visible_to``: the bureau, the student's
current school and the class teacher; another school's student is a 404. Every view of a file
is written to the access log. Students and parents have no account: a pledge slip carries a
one-time code, and a parent reads the child's file with a code the school hands out.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from credit_registry import rules
from credit_registry.access import (
    Role,
    classrooms_visible_to,
    pledges_visible_to,
    role_of,
    school_of,
    students_visible_to,
)
from credit_registry.audit import log_access
from credit_registry.common.code_guard import CodeGuard
from credit_registry.common.errors import error_text
from credit_registry.common.printing import sheet_pages
from credit_registry.common.qr import qr_svg
from credit_registry.common.ratelimit import RateLimited
from credit_registry.common.years import academic_year_of
from credit_registry.models import AccessAction
from credit_registry.reports.data import student_file as student_file_data
from evaluations.models import EvaluationRound, RoundStatus, SubjectKind
from evaluations.records import selectors as record_selectors
from students import services
from students.forms import (
    AcknowledgeForm,
    CodeForm,
    ParentCodeForm,
    PlaceForm,
    PledgeForm,
    TransferForm,
)
from students.models import Classroom, PledgeSlip, Student, StudentStatus

PLEDGE_CODES = CodeGuard("pledge-slip")
PARENT_CODES = CodeGuard("parent-code")
PARENT_SESSION_KEY = "parent_view"
MANAGING_ROLES = (Role.PRINCIPAL, Role.BUREAU_ADMIN)


def _visible_student(request, pk: int) -> Student:
    return get_object_or_404(students_visible_to(request.user).select_related("school"), pk=pk)


def _file_context(student: Student) -> dict:
    context = student_file_data(student)
    context["slips"] = list(
        PledgeSlip.objects.filter(student=student)
        .select_related("pledge__classroom")
        .order_by("-pledge__year", "-pledge__issued_at")
    )
    return context


@login_required
def student_file(request, pk: int):
    """The student's integrity file: records, honours, pledges, results per year, eligibility."""
    student = _visible_student(request, pk)
    log_access(request.user, AccessAction.VIEW_STUDENT_FILE, student)
    context = _file_context(student)
    manages = role_of(request.user) in MANAGING_ROLES
    changes_enrolment = bool(rules.may_change_enrolment(request.user, student))
    context.update(
        manages=manages,
        may_propose=bool(rules.may_propose(request.user, student)),
        may_issue_code=bool(rules.may_issue_parent_code(request.user, student)),
        transfer_form=TransferForm(student=student) if changes_enrolment else None,
        place_form=(
            PlaceForm(classrooms=Classroom.objects.filter(school=student.school_id))
            if changes_enrolment and student.classroom_id is None
            else None
        ),
    )
    return render(request, "students/file.html", context)


@login_required
def my_class(request):
    """A class teacher's own class(es): each student with a link to the file."""
    if role_of(request.user) != Role.TEACHER:
        raise PermissionDenied(_("此页面只供班主任使用"))
    classrooms = (
        classrooms_visible_to(request.user).select_related("school").prefetch_related("students")
    )
    for classroom in classrooms:
        log_access(request.user, AccessAction.VIEW_STUDENT_LIST, classroom.school, str(classroom))
    conduct_round = (
        EvaluationRound.objects.filter(subject_kind=SubjectKind.STUDENT, status=RoundStatus.OPEN)
        .order_by("-year_id")
        .first()
    )
    return render(
        request,
        "students/my_class.html",
        {
            "classrooms": classrooms,
            "conduct_round": conduct_round,
            "proposed": record_selectors.unpublished_records_by(request.user)[:50],
        },
    )


# --- transfer and graduation -------------------------------------------------------------------


def _may_manage(request) -> None:
    if role_of(request.user) not in MANAGING_ROLES:
        raise PermissionDenied(_("只有学校管理员或局机关可以办理"))


@login_required
@require_POST
def transfer(request, pk: int):
    _may_manage(request)
    student = _visible_student(request, pk)
    form = TransferForm(request.POST, student=student)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, "；".join(errors))
        return redirect("students:file", pk=student.pk)
    data = form.cleaned_data
    try:
        if data["destination"] == "graduate":
            services.graduate_student(by=request.user, student=student, on=data["on"])
        else:
            services.transfer_student(
                by=request.user,
                student=student,
                on=data["on"],
                to_school=data["to_school"] if data["destination"] == "district" else None,
                note=data["note"],
            )
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("students:file", pk=student.pk)
    if data["destination"] == "district" and role_of(request.user) == Role.PRINCIPAL:
        messages.success(
            request,
            _("已转入%(name)s，档案随学生转移") % {"name": data["to_school"].name},
        )
        return redirect("schools:students")
    messages.success(request, _("已办理，学生档案已冻结"))
    return redirect("students:file", pk=student.pk)


@login_required
@require_POST
def place(request, pk: int):
    _may_manage(request)
    student = _visible_student(request, pk)
    form = PlaceForm(request.POST, classrooms=Classroom.objects.filter(school=student.school_id))
    if form.is_valid():
        try:
            services.place_in_classroom(
                by=request.user, student=student, classroom=form.cleaned_data["classroom"]
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("已分班"))
    else:
        messages.error(request, _("请选择班级"))
    return redirect("students:file", pk=student.pk)


@login_required
@require_POST
def parent_code(request, pk: int):
    """Issue a parent's code; shown once on the page that answers this POST."""
    _may_manage(request)
    student = _visible_student(request, pk)
    code = services.issue_parent_code(by=request.user, student=student)
    url = request.build_absolute_uri(reverse("students:parent"))
    return render(
        request,
        "students/parent_code.html",
        {
            "student": student,
            "code": services.grouped_code(code),
            "url": url,
            "qr": qr_svg(url),
            "days": services.PARENT_CODE_DAYS,
        },
    )


PARENT_SLIPS_PER_PAGE = 8  # 2 × 4 on an A4 page
PLEDGE_SLIPS_PER_PAGE = 12  # 2 × 6


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def class_parent_codes(request, classroom_id: int):
    """Parents' codes for a whole class. GET says what will happen; the POST issues the codes
    and answers with the printable sheet, the only page that ever shows them."""
    classroom = get_object_or_404(
        classrooms_visible_to(request.user).select_related("school"), pk=classroom_id
    )
    rules.may_issue_class_parent_codes(request.user, classroom).enforce()
    back = (
        reverse("students:my_class")
        if role_of(request.user) == Role.TEACHER
        else f"{reverse('schools:students')}?classroom={classroom.pk}"
    )
    if request.method == "GET":
        students = classroom.students.filter(
            status=StudentStatus.ENROLLED, file_frozen_at__isnull=True
        )
        return render(
            request,
            "students/class_parent_codes.html",
            {
                "classroom": classroom,
                "count": students.count(),
                "days": services.PARENT_CODE_DAYS,
                "back": back,
            },
        )
    try:
        issued = services.issue_class_parent_codes(by=request.user, classroom=classroom)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect(back)
    log_access(
        request.user,
        AccessAction.VIEW_STUDENT_LIST,
        classroom.school,
        f"家长查询码：{classroom}",
    )
    url = request.build_absolute_uri(reverse("students:parent"))
    slips = [(code, qr_svg(f"{url}?{urlencode({'code': code.code})}")) for code in issued]
    return render(
        request,
        "students/parent_code_sheet.html",
        {
            "classroom": classroom,
            "pages": sheet_pages(slips, PARENT_SLIPS_PER_PAGE),
            "count": len(slips),
            "url": url,
            "expires_on": timezone.localdate(issued[0].expires_at),
            "back": back,
        },
    )


# --- pledges -----------------------------------------------------------------------------------


@login_required
def pledge_list(request):
    """The school's pledges with their acknowledgement counts; the principal issues new ones."""
    role = role_of(request.user)
    if role not in (Role.PRINCIPAL, Role.TEACHER, Role.BUREAU_ADMIN):
        raise PermissionDenied
    year = academic_year_of(timezone.localdate())
    form = None
    if role == Role.PRINCIPAL:
        classrooms = classrooms_visible_to(request.user).order_by("entry_year", "name")
        form = PledgeForm(request.POST or None, classrooms=classrooms)
        if request.method == "POST" and form.is_valid():
            issued = _issue_pledges(request, form, year)
            if issued:
                messages.success(request, _("已向%(issued)s个班级发放承诺书") % {"issued": issued})
                return redirect("students:pledges")
    elif request.method == "POST":
        raise PermissionDenied(_("只有学校管理员可以发放承诺书"))
    pledges = (
        pledges_visible_to(request.user)
        .select_related("classroom")
        .with_counts()
        .order_by("-year", "-issued_at", "classroom__name")[:200]
    )
    return render(
        request,
        "students/pledges.html",
        {"pledges": pledges, "form": form, "school": school_of(request.user)},
    )


def _issue_pledges(request, form: PledgeForm, year: int) -> int:
    issued = 0
    for classroom in form.cleaned_data["classrooms"]:
        try:
            services.issue_pledge(
                by=request.user,
                classroom=classroom,
                kind=form.cleaned_data["kind"],
                year=year,
                exam_name=form.cleaned_data["exam_name"],
                text=form.cleaned_data["text"],
            )
        except ValidationError as error:
            messages.warning(request, f"{classroom}：{'；'.join(error.messages)}")
        else:
            issued += 1
    return issued


@login_required
def pledge_slips(request, pk: int):
    """The printable slips of one pledge, each with its one-time code and QR code."""
    pledge = get_object_or_404(
        pledges_visible_to(request.user).select_related("classroom__school"), pk=pk
    )
    log_access(
        request.user,
        AccessAction.VIEW_STUDENT_LIST,
        pledge.classroom.school,
        f"承诺书回执：{pledge.classroom}",
    )
    sign_url = request.build_absolute_uri(reverse("students:sign"))
    slips = [
        (slip, qr_svg(f"{sign_url}?code={slip.code}", scale=2))
        for slip in pledge.slips.select_related("student").order_by("student__name")
    ]
    return render(
        request,
        "students/pledge_slips.html",
        {
            "pledge": pledge,
            "pages": sheet_pages(slips, PLEDGE_SLIPS_PER_PAGE),
            "count": len(slips),
            "sign_url": sign_url,
        },
    )


def _too_many(request):
    return render(
        request, "students/code_refused.html", {"message": RateLimited.message}, status=429
    )


def sign(request):
    """A student or parent acknowledges a pledge with the slip's one-time code (no account)."""
    if not PLEDGE_CODES.admits(request):
        return _too_many(request)
    if request.method == "POST":
        form = AcknowledgeForm(request.POST)
        slip = services.find_slip(request.POST.get("code", ""))
        if slip is None and PLEDGE_CODES.missed(request):
            return _too_many(request)
        if form.is_valid():
            try:
                slip = services.acknowledge_pledge(
                    code=form.cleaned_data["code"], who=form.cleaned_data["who"]
                )
            except ValidationError as error:
                form.add_error(None, error_text(error))
            else:
                return render(request, "students/signed.html", {"slip": slip})
        return render(request, "students/sign.html", {"form": form, "slip": slip})
    entry = CodeForm(request.GET or None)
    if not entry.is_valid():
        return render(request, "students/sign_enter.html", {"form": entry})
    slip = services.find_slip(entry.cleaned_data["code"])
    if slip is None:
        if PLEDGE_CODES.missed(request):
            return _too_many(request)
        entry.add_error("code", _("确认码无效，请核对后重新输入"))
        return render(request, "students/sign_enter.html", {"form": entry}, status=404)
    if slip.acknowledged_at:
        return render(request, "students/signed.html", {"slip": slip, "again": True})
    form = AcknowledgeForm(initial={"code": slip.code})
    return render(request, "students/sign.html", {"form": form, "slip": slip})


# --- the parent's view -------------------------------------------------------------------------


def parent_enter(request):
    if not PARENT_CODES.admits(request):
        return _too_many(request)
    # The slip's QR code carries the code: the form comes filled in, the parent confirms.
    form = ParentCodeForm(request.POST or None, initial={"code": request.GET.get("code", "")[:40]})
    if request.method == "POST" and form.is_valid():
        student = services.student_for_parent_code(form.cleaned_data["code"])
        if student is not None:
            request.session.cycle_key()
            request.session[PARENT_SESSION_KEY] = {
                "student": student.pk,
                "code": services.code_hash(form.cleaned_data["code"]),
            }
            request.session.set_expiry(30 * 60)
            return redirect("students:parent_file")
        if PARENT_CODES.missed(request):
            return _too_many(request)
        form.add_error("code", _("查询码无效或已失效"))
    return render(request, "students/parent_enter.html", {"form": form})


def parent_file(request):
    """The child's file, read-only, for as long as the code stays valid (re-checked each time)."""
    held = request.session.get(PARENT_SESSION_KEY)
    if not held or not services.parent_code_still_valid(held["student"], held["code"]):
        request.session.pop(PARENT_SESSION_KEY, None)
        return redirect("students:parent")
    student = Student.objects.filter(pk=held["student"]).first()
    if student is None:
        raise Http404
    log_access(None, AccessAction.PARENT_VIEW, student)
    context = _file_context(student)
    context.update(parent=True, manages=False, may_propose=False)
    return render(request, "students/file.html", context)


@require_POST
def parent_exit(request):
    request.session.pop(PARENT_SESSION_KEY, None)
    return redirect("students:parent")
