"""The principal's portal (校长/学校管理员): the school's integrity dashboard, its teachers and
students, proposing credit records, integrity-education activities, the lawful-operation
self-assessment and the school's standing in the target assessment or the annual inspection.

A school account reaches its own school only: every object is looked up in a queryset from
``credit_registry.access``, so another school's id gives 404. Class teachers (班主任) use the
proposing page for their own class's students.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from credit_registry import freshness, rules
from credit_registry.access import (
    Role,
    activities_visible_to,
    can_propose_record_for,
    checklists_visible_to,
    records_visible_to,
    role_of,
    school_of,
    students_visible_to,
    teachers_visible_to,
)
from credit_registry.audit import log_access
from credit_registry.common.errors import error_text
from credit_registry.common.search_terms import posted_search, search_term
from credit_registry.common.years import academic_year_label, academic_year_of
from credit_registry.models import AccessAction
from credit_registry.reports.data import STUDENT_PURPOSES, TEACHER_PURPOSES
from evaluations.assessment import standing as school_standing
from evaluations.assessment.eligibility import check_eligibility_many
from evaluations.models import AssessmentYear, SubjectKind
from evaluations.records import services as record_services
from evaluations.schoolwork import services
from schools import selectors as school_selectors
from schools.forms import ActivityForm, ChecklistForm, ProposeRecordForm
from schools.models import ChecklistKind
from students.models import Classroom, StudentStatus

PAGE_SIZE = 50


def _school(request):
    """The school of a principal's account; everybody else is turned away (403)."""
    if role_of(request.user) != Role.PRINCIPAL:
        raise PermissionDenied(_("此页面只供学校管理员使用"))
    return school_of(request.user)


def _year(request) -> int:
    """The academic year asked for (?year=), if the bureau has opened it; else the current one."""
    current = academic_year_of(timezone.localdate())
    try:
        asked = int(request.GET.get("year", current))
    except ValueError:
        return current
    return asked if AssessmentYear.objects.filter(year=asked).exists() else current


@login_required
def dashboard(request):
    school = _school(request)

    def page():
        year = _year(request)
        context = school_standing.dashboard(request.user, school, year)
        context.update(school=school, year=year, year_label=academic_year_label(year))
        return render(request, "schools/dashboard.html", context)

    return freshness.page(request, page)


@login_required
@require_http_methods(["GET", "POST"])
def teacher_list(request):
    school = _school(request)
    if redirect_to := posted_search(request):
        return redirect_to
    query = search_term(request)

    def page():
        year = _year(request)
        teachers = school_standing.teacher_list(request.user, year=year, query=query)
        context = {
            "school": school,
            "page": Paginator(teachers, PAGE_SIZE).get_page(request.GET.get("page")),
            "q": query,
            "year_label": academic_year_label(year),
        }
        return render(request, "schools/teachers.html", context)

    return freshness.page(request, page)


@login_required
@require_http_methods(["GET", "POST"])
def student_list(request):
    school = _school(request)
    if redirect_to := posted_search(request):
        return redirect_to
    year = _year(request)
    query = search_term(request)
    try:
        classroom = int(request.GET.get("classroom") or 0) or None
    except ValueError:
        classroom = None
    students = school_standing.student_list(
        request.user, year=year, query=query, classroom=classroom
    )
    page = Paginator(students, PAGE_SIZE).get_page(request.GET.get("page"))
    log_access(request.user, AccessAction.VIEW_STUDENT_LIST, school, f"本校学生 第{page.number}页")
    return freshness.page(
        request,
        lambda: render(
            request,
            "schools/students.html",
            {
                "school": school,
                "page": page,
                "q": query,
                "classrooms": Classroom.objects.filter(school=school).order_by(
                    "entry_year", "name"
                ),
                "classroom": classroom,
                "year_label": academic_year_label(year),
            },
        ),
    )


def _subject(request):
    """The subject named in the query string, looked up in the user's own scope."""
    if "teacher" in request.GET:
        return get_object_or_404(teachers_visible_to(request.user), pk=_int(request.GET["teacher"]))
    if "student" in request.GET:
        return get_object_or_404(students_visible_to(request.user), pk=_int(request.GET["student"]))
    school = school_of(request.user) if role_of(request.user) == Role.PRINCIPAL else None
    if school is None:
        raise PermissionDenied(_("请选择登记对象"))
    return school


def _int(value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@login_required
def propose_record(request):
    """Propose a credit record about one of the school's teachers or students, or the school
    itself; a class teacher about a student of their class. The bureau approves and publishes."""
    subject = _subject(request)
    if not can_propose_record_for(request.user, subject):
        raise PermissionDenied(_("您无权为该对象登记信用记录"))
    kind = {"school": SubjectKind.SCHOOL, "teacher": SubjectKind.TEACHER}.get(
        subject._meta.model_name, SubjectKind.STUDENT
    )
    form = ProposeRecordForm(request.POST or None, request.FILES or None, subject_kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                record = record_services.propose_record(
                    by=request.user,
                    subject=subject,
                    item=form.cleaned_data["item"],
                    occurred_on=form.cleaned_data["occurred_on"],
                    narrative=form.cleaned_data["description"],
                )
                if form.cleaned_data["evidence"]:
                    record_services.attach_evidence(
                        record=record, by=request.user, uploaded_file=form.cleaned_data["evidence"]
                    )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("已提交局机关审核"))
            return redirect("record_detail", pk=record.pk)
    return render(
        request, "schools/propose_record.html", {"form": form, "subject": subject, "kind": kind}
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_record(request, pk: int):
    """Correct a draft or a returned record where it was proposed, with the checks of the
    proposing page; the bureau's reason stays in view. Submitting again is a separate step."""
    record = get_object_or_404(
        records_visible_to(request.user).select_related("item", "returned_by"), pk=pk
    )
    verdict = rules.may_edit(request.user, record)
    if not verdict:
        messages.error(request, verdict.message)
        return redirect("record_detail", pk=record.pk)
    form = ProposeRecordForm(
        request.POST or None,
        request.FILES or None,
        subject_kind=record.subject_kind,
        initial={
            "item": record.item_id,
            "occurred_on": record.occurred_on,
            "description": record.narrative,
        },
    )
    if request.method == "POST" and form.is_valid():
        item = form.cleaned_data["item"]
        # The points stay as the bureau or the author set them unless the item changes.
        same_item = item.pk == record.item_id
        try:
            with transaction.atomic():
                record_services.edit_record(
                    record=record,
                    by=request.user,
                    item=item,
                    occurred_on=form.cleaned_data["occurred_on"],
                    narrative=form.cleaned_data["description"],
                    points=record.points if same_item else None,
                    points_reason=record.points_reason if same_item else "",
                )
                if form.cleaned_data["evidence"]:
                    record_services.attach_evidence(
                        record=record, by=request.user, uploaded_file=form.cleaned_data["evidence"]
                    )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("修改已保存"))
            return redirect("record_detail", pk=record.pk)
    return render(
        request,
        "schools/edit_record.html",
        {
            "form": form,
            "record": record,
            "back": {"url": reverse("record_detail", args=[record.pk]), "label": _("信用记录")},
        },
    )


@login_required
def record_list(request):
    """The school's records by status: what waits for the bureau, what came back, what stands."""
    school = _school(request)
    status = request.GET.get("status", "waiting")

    def page_of_records():
        records = records_visible_to(request.user).select_related(
            "item",
            "teacher",
            "student",
            "school",
            # who wrote each record decides who may correct it (rules._written_at_school_of)
            "recorded_by__school_account",
            "recorded_by__teacher",
        )
        if status == "waiting":
            records = records.filter(status__in=school_standing.WAITING_STATUSES)
        elif status:
            records = records.filter(status=status)
        page = Paginator(records.order_by("-recorded_at", "-id"), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        for record in page:
            record.may_edit = bool(rules.may_edit(request.user, record))
            record.may_submit = bool(rules.may_submit(request.user, record))
            record.may_withdraw = bool(rules.may_withdraw(request.user, record))
        return render(
            request, "schools/records.html", {"school": school, "page": page, "status": status}
        )

    return freshness.page(request, page_of_records)


@login_required
def eligibility(request):
    """评优评先 and the like for a whole list at once: the school's teachers (e.g. its title
    promotion candidates) or one class's students, each with yes/no and the reasons."""
    school = _school(request)
    year = academic_year_of(timezone.localdate())
    purpose = request.GET.get("purpose", "")
    classroom = _int(request.GET.get("classroom", ""))
    classrooms = list(Classroom.objects.filter(school=school).order_by("entry_year", "name"))
    purposes = [(p.value, p.label) for p in TEACHER_PURPOSES]
    purposes += [
        (f"student:{p.value}", _("学生：%(purpose)s") % {"purpose": p.label})
        for p in STUDENT_PURPOSES
    ]
    answers = []
    if purpose.startswith("student:") and purpose[8:] in [p.value for p in STUDENT_PURPOSES]:
        students = students_visible_to(request.user).filter(
            classroom_id=classroom, status=StudentStatus.ENROLLED
        )
        answers = check_eligibility_many(list(students.order_by("name")), purpose[8:], year)
    elif purpose in [p.value for p in TEACHER_PURPOSES]:
        teachers = teachers_visible_to(request.user).order_by("name")
        answers = check_eligibility_many(list(teachers), purpose, year)
    return render(
        request,
        "schools/eligibility.html",
        {
            "school": school,
            "purposes": purposes,
            "purpose": purpose,
            "classrooms": classrooms,
            "classroom": classroom,
            "answers": answers,
            "year_label": academic_year_label(year),
        },
    )


# --- activities --------------------------------------------------------------------------------


@login_required
def activity_list(request):
    school = _school(request)
    year = _year(request)
    activities = activities_visible_to(request.user).filter(year=year).prefetch_related("photos")
    return render(
        request,
        "schools/activities.html",
        {
            "school": school,
            "activities": activities,
            "year_label": academic_year_label(year),
            "summary": school_selectors.activity_summary(year, school),
        },
    )


@login_required
def activity_new(request):
    school = _school(request)
    form = ActivityForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            activity = services.record_activity(
                by=request.user,
                school=school,
                kind=data["kind"],
                title=data["title"],
                held_on=data["held_on"],
                participants=data["participants"],
                participant_count=data["participant_count"],
                description=data["description"],
                photos=data["photos"],
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("活动已登记"))
            return redirect("schools:activity", pk=activity.pk)
    return render(request, "schools/activity_form.html", {"form": form, "school": school})


@login_required
def activity_detail(request, pk: int):
    activity = get_object_or_404(
        activities_visible_to(request.user).select_related("school", "recorded_by"), pk=pk
    )
    return render(
        request,
        "schools/activity.html",
        {"activity": activity, "photos": activity.photos.all()},
    )


@login_required
def activity_photo(request, pk: int, photo_pk: int):
    photos = school_selectors.activity_photos(activities_visible_to(request.user), pk)
    photo = get_object_or_404(photos, pk=photo_pk)
    return FileResponse(photo.image.open("rb"), content_type=photo.content_type)


# --- lawful-operation checklist ----------------------------------------------------------------


@login_required
def checklist(request):
    """The year's self-assessment: filed once, then shown with the bureau's inspection."""
    school = _school(request)
    year = academic_year_of(timezone.localdate())
    filed = {
        c.kind: c
        for c in checklists_visible_to(request.user)
        .filter(year=year)
        .prefetch_related("entries__record")
    }
    form = None
    if ChecklistKind.SELF_ASSESSMENT not in filed:
        form = ChecklistForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.file_checklist(
                    by=request.user,
                    school=school,
                    year=year,
                    kind=ChecklistKind.SELF_ASSESSMENT,
                    results=form.results(),
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                form.add_error(None, error_text(error))
            else:
                messages.success(
                    request,
                    _("自查表已提交；不符合的项目已作为信用记录提交局机关审核。"),
                )
                return redirect("schools:checklist")
    earlier = checklists_visible_to(request.user).exclude(year=year).order_by("-year", "kind")[:20]
    return render(
        request,
        "schools/checklist.html",
        {
            "school": school,
            "year_label": academic_year_label(year),
            "self_assessment": filed.get(ChecklistKind.SELF_ASSESSMENT),
            "inspection": filed.get(ChecklistKind.INSPECTION),
            "form": form,
            "earlier": earlier,
        },
    )


@login_required
def standing(request):
    """目标考核 (public schools) or 年检 (private schools, training institutions): the figure and
    its reasons for the year."""
    school = _school(request)
    year = _year(request)
    return render(
        request,
        "schools/standing.html",
        {
            "school": school,
            "standing": school_standing.school_standing(school, year),
            "year_label": academic_year_label(year),
            "years": AssessmentYear.objects.order_by("-year").values_list("year", flat=True),
        },
    )
