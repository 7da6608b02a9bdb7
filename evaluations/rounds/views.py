"""The evaluation pages (测评): answering with a one-time code or a school's public link (no
account, made for a phone), answering an assigned evaluation, and a school's page for its codes,
printable sheets with QR codes and its teachers' results (aggregates only).

Views are thin: rules live in ``evaluations.evaluation_services`` / ``evaluation_selectors``,
scoping in ``credit_registry.access``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from credit_registry import rules
from credit_registry.access import (
    Role,
    access_codes_visible_to,
    assignments_visible_to,
    classrooms_visible_to,
    role_of,
    school_of,
    schools_visible_to,
)
from credit_registry.common.client import client_address
from credit_registry.common.code_guard import CodeGuard
from credit_registry.common.errors import error_text
from credit_registry.common.identity import mask_name
from credit_registry.common.qr import qr_svg
from credit_registry.common.ratelimit import RateLimited
from evaluations.models import EvaluationRound, RaterGroup, RoundStatus, SubjectKind
from evaluations.rounds import selectors
from evaluations.rounds import services as round_services
from evaluations.rounds.forms import (
    GRID_SCALE,
    ChooseTeachersForm,
    CodeEntryForm,
    GenerateCodesForm,
    RatingForm,
)
from students.models import Classroom, StudentStatus

SURVEY_CODES = CodeGuard("survey")
REFUSAL_STATUS = {"invalid": 404, "used": 410, "expired": 410, "closed": 410}
MAX_SHEET_CODES = 500


def _too_many(request):
    return render(request, "survey/refused.html", {"message": RateLimited.message}, status=429)


def _refuse(request, error: selectors.CodeRefused):
    return render(
        request,
        "survey/refused.html",
        {"message": error_text(error, separator=" ")},
        status=REFUSAL_STATUS.get(error.code, 400),
    )


# --- answering without an account --------------------------------------------------------------


def enter(request):
    """The page a printed sheet points to: type the code (or scan the QR and skip this)."""
    form = CodeEntryForm(request.GET or None)
    if form.is_valid():
        return redirect("survey:code", code=form.cleaned_data["code"])
    return render(request, "survey/enter.html", {"form": form})


def _teacher_choice(teacher, head_teacher_id) -> str:
    label = mask_name(teacher.name)
    if teacher.subject:
        label += f"（{teacher.subject}）"
    if teacher.pk == head_teacher_id:
        label += " · " + _("班主任")
    return label


def _questionnaire(request, *, evaluation_round, teachers, heading: str, head_teacher_id, submit):
    """Two steps on a phone: choose the teachers you know, then rate each on every item. A
    school round has one step: the school itself, rated on every item."""
    items = selectors.questionnaire_items(evaluation_round)
    context = {
        "evaluation_round": evaluation_round,
        "heading": heading,
        "questionnaire": evaluation_round.questionnaire,
    }
    if evaluation_round.subject_kind == SubjectKind.SCHOOL:
        chosen = list(teachers)
        labels = {school.pk: school.name for school in chosen}
    else:
        choices = [(t.pk, _teacher_choice(t, head_teacher_id)) for t in teachers]
        by_id = {t.pk: t for t in teachers}
        source = request.POST if request.method == "POST" else request.GET
        choose = ChooseTeachersForm(source if "teachers" in source else None, choices=choices)
        if not choose.is_bound or not choose.is_valid():
            initial = [head_teacher_id] if head_teacher_id in by_id else []
            if not choose.is_bound:
                choose = ChooseTeachersForm(initial={"teachers": initial}, choices=choices)
            return render(request, "survey/choose.html", {**context, "choose": choose})
        chosen = [by_id[pk] for pk in choose.cleaned_data["teachers"]][
            : round_services.MAX_RATEES_PER_ANSWER
        ]
        labels = dict(choices)
    form = RatingForm(
        request.POST if request.method == "POST" else None,
        teachers=chosen,
        items=items,
        labels=labels,
        require_all=evaluation_round.subject_kind == SubjectKind.SCHOOL,
    )
    if request.method == "POST" and form.is_valid():
        try:
            submit(form.ratings)
        except RateLimited:
            return _too_many(request)
        except selectors.CodeRefused as error:
            return _refuse(request, error)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("survey:thanks")
    return render(
        request,
        "survey/questionnaire.html",
        {**context, "form": form, "chosen": chosen},
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
def answer_code(request, code: str):
    """A one-time code's questionnaire. Invalid, used or expired codes get a clear message
    and change nothing; too many invalid codes from one address get 429."""
    if not SURVEY_CODES.admits(request):
        return _too_many(request)
    try:
        access = selectors.find_code(code)
    except selectors.CodeRefused as error:
        if error.code == "invalid" and SURVEY_CODES.missed(request):
            return _too_many(request)
        return _refuse(request, error)
    classroom = access.classroom
    heading = (
        f"{access.school.name}{f' {classroom}' if classroom else ''} · {access.get_group_display()}"
    )
    return _questionnaire(
        request,
        evaluation_round=access.round,
        teachers=selectors.ratees_for(access.round, access.school, classroom),
        heading=heading,
        head_teacher_id=classroom.head_teacher_id if classroom else None,
        submit=lambda ratings: round_services.submit_answers(ratings=ratings, code=access),
    )


@require_http_methods(["GET", "POST"])
def answer_public(request, round_id: int, school_id: int, token: str):
    """A school's public questionnaire link (社会评价): no code, rate-limited per address."""
    address = client_address(request)
    if not SURVEY_CODES.admits(request):
        return _too_many(request)
    try:
        evaluation_round, school = selectors.check_public_link(round_id, school_id, token)
    except selectors.CodeRefused as error:
        if error.code == "invalid" and SURVEY_CODES.missed(request):
            return _too_many(request)
        return _refuse(request, error)
    return _questionnaire(
        request,
        evaluation_round=evaluation_round,
        teachers=selectors.ratees_for(evaluation_round, school),
        heading=f"{school.name} · {RaterGroup.PUBLIC.label}",
        head_teacher_id=None,
        submit=lambda ratings: round_services.submit_public_answers(
            evaluation_round=evaluation_round, school=school, client_ip=address, ratings=ratings
        ),
    )


def thanks(request):
    return render(request, "survey/thanks.html")


# --- answering an assignment -------------------------------------------------------------------


def _back_to_tasks(user) -> str:
    return {
        Role.TEACHER: reverse("teachers:evaluations"),
        Role.BUREAU_ADMIN: reverse("admin:evaluations_raterassignment_changelist"),
    }.get(role_of(user), reverse("survey:school"))


@login_required
@require_http_methods(["GET", "POST"])
def answer_assignment(request, pk: int):
    """A self-, peer or principal evaluation. Another user's task id gives 404."""
    assignment = get_object_or_404(
        assignments_visible_to(request.user).select_related("round__questionnaire", "ratee"),
        pk=pk,
    )
    back = _back_to_tasks(request.user)
    if assignment.answered_at is not None:
        messages.info(request, _("该评价任务已经完成"))
        return redirect(back)
    reason = selectors.round_accepts_answers(assignment.round)
    if reason:
        messages.error(request, reason)
        return redirect(back)
    form = RatingForm(
        request.POST if request.method == "POST" else None,
        teachers=[assignment.ratee],
        items=selectors.questionnaire_items(assignment.round),
        require_all=True,
    )
    if request.method == "POST" and form.is_valid():
        try:
            round_services.submit_answers(
                ratings=form.ratings, assignment=assignment, by=request.user
            )
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            return redirect(back)
        messages.success(request, _("评价已提交，谢谢"))
        return redirect(back)
    return render(
        request,
        "survey/assignment.html",
        {
            "assignment": assignment,
            "form": form,
            "questionnaire": assignment.round.questionnaire,
            "back": back,
        },
        status=400 if form.is_bound else 200,
    )


# --- the school's page ---------------------------------------------------------------------------


def _principal_school(request):
    if role_of(request.user) != Role.PRINCIPAL:
        raise PermissionDenied(_("只有学校管理账号可以访问"))
    return school_of(request.user)


def public_link(request, evaluation_round, school) -> str:
    return request.build_absolute_uri(
        reverse(
            "survey:public",
            args=[
                evaluation_round.pk,
                school.pk,
                selectors.public_link_token(evaluation_round, school),
            ],
        )
    )


@login_required
@require_http_methods(["GET", "POST"])
def principal_evaluations(request, pk: int):
    """The principal rates all the school's teachers on one page: a row per teacher, a select
    per item. A teacher's row is saved once it is complete; the others stay as typed, and the
    page comes back with who is done and who is left."""
    school = _principal_school(request)
    evaluation_round = get_object_or_404(
        EvaluationRound.objects.select_related("questionnaire"),
        pk=pk,
        subject_kind=SubjectKind.TEACHER,
    )
    tasks = list(
        assignments_visible_to(request.user)
        .filter(round=evaluation_round, group=RaterGroup.PRINCIPAL)
        .select_related("ratee")
        .order_by("ratee__name", "pk")
    )
    closed = selectors.round_accepts_answers(evaluation_round)
    items = selectors.questionnaire_items(evaluation_round)

    def grid(data, pending):
        return RatingForm(
            data,
            teachers=[task.ratee for task in pending],
            items=items,
            labels={task.ratee_id: _teacher_row_label(task.ratee) for task in pending},
            grid=True,
            scale=GRID_SCALE,
            keep_incomplete=True,
        )

    pending = [task for task in tasks if task.answered_at is None]
    saved = set()
    form = grid(request.POST if request.method == "POST" and not closed else None, pending)
    if form.is_bound:
        form.is_valid()
        if form.ratings:
            try:
                round_services.submit_principal_evaluations(
                    evaluation_round=evaluation_round, by=request.user, ratings=form.ratings
                )
            except (ValidationError, PermissionDenied) as error:
                messages.error(request, error_text(error))
                return redirect(request.path)
            saved = set(form.ratings)
            messages.success(request, _("已保存%(count)s位教师的评价") % {"count": len(saved)})
        if not form.errors:
            return redirect(request.path)
        # The rows begun but not finished come back as typed, their empty items marked.
        pending = [task for task in pending if task.ratee_id not in saved]
        form = grid(request.POST, pending)
        form.is_valid()
    done = [task for task in tasks if task.answered_at is not None or task.ratee_id in saved]
    return render(
        request,
        "survey/principal.html",
        {
            "school": school,
            "evaluation_round": evaluation_round,
            "questionnaire": evaluation_round.questionnaire,
            "form": form,
            "closed": closed,
            "done": done,
            "total": len(tasks),
        },
    )


def _teacher_row_label(teacher) -> str:
    return f"{teacher.name}（{teacher.subject}）" if teacher.subject else teacher.name


@login_required
def school_home(request):
    """A school's evaluation page: tasks of its principal, codes and sheets per class, the
    public link, progress counts, and its teachers' results of closed rounds (aggregates)."""
    school = _principal_school(request)
    rounds = list(
        EvaluationRound.objects.filter(status__in=[RoundStatus.OPEN, RoundStatus.CLOSED])
        .select_related("questionnaire")
        # the last three years' rounds of every kind (teachers, the school, its students)
        .order_by("-year_id", "-subject_kind")[: 3 * len(SubjectKind)]
    )
    classrooms = list(classrooms_visible_to(request.user).order_by("entry_year", "name"))
    class_names = {c.pk: str(c) for c in classrooms}
    teachers = {t.pk: t for t in school.teachers.order_by("name")}
    panels = []
    for evaluation_round in rounds:
        panel = {
            "round": evaluation_round,
            "progress": selectors.round_progress(evaluation_round, school),
        }
        kind = evaluation_round.subject_kind
        if kind == SubjectKind.STUDENT:
            pass  # class teachers rate their classes on their own page (我的班级)
        elif evaluation_round.status == RoundStatus.OPEN:
            link = public_link(request, evaluation_round, school)
            batches = selectors.code_batches(
                evaluation_round, access_codes_visible_to(request.user)
            )
            for batch in batches:
                batch["classroom"] = class_names.get(batch["classroom_id"], "")
                batch["group_label"] = RaterGroup(batch["group"]).label
            panel.update(
                public_link=link,
                public_qr=qr_svg(link),
                batches=batches,
                form=GenerateCodesForm(
                    classrooms=classrooms, groups=list(evaluation_round.weights())
                ),
            )
        elif kind == SubjectKind.SCHOOL:
            panel["school_result"] = selectors.round_results(evaluation_round, [school.pk]).get(
                school.pk
            )
        else:
            results = selectors.round_results(evaluation_round, list(teachers))
            panel["results"] = [(teacher, results.get(pk)) for pk, teacher in teachers.items()]
        panels.append(panel)
    return render(
        request,
        "survey/school.html",
        {
            "school": school,
            "panels": panels,
            "tasks": selectors.open_tasks(request.user),
        },
    )


@login_required
@require_POST
def generate_codes(request, pk: int):
    school = _principal_school(request)
    evaluation_round = get_object_or_404(EvaluationRound, pk=pk)
    classrooms = classrooms_visible_to(request.user)
    form = GenerateCodesForm(request.POST, classrooms=classrooms)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("survey:school")
    classroom_id = form.cleaned_data["classroom"]
    classroom = get_object_or_404(classrooms, pk=classroom_id) if classroom_id else None
    try:
        round_services.generate_codes(
            evaluation_round=evaluation_round,
            by=request.user,
            group=form.cleaned_data["group"],
            school=school,
            classroom=classroom if form.cleaned_data["group"] != RaterGroup.PUBLIC else None,
            count=form.cleaned_data["count"],
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("survey:school")
    query = f"?group={form.cleaned_data['group']}"
    if classroom and form.cleaned_data["group"] != RaterGroup.PUBLIC:
        query += f"&classroom={classroom.pk}"
    return redirect(reverse("survey:sheet", args=[evaluation_round.pk, school.pk]) + query)


@login_required
def code_sheet(request, pk: int, school_id: int):
    """The printable sheet of a class's (or school's) unused codes, each with its QR code."""
    if role_of(request.user) not in (Role.BUREAU_ADMIN, Role.PRINCIPAL):
        raise PermissionDenied(_("只有局机关和学校可以打印测评码"))
    evaluation_round = get_object_or_404(EvaluationRound, pk=pk)
    school = get_object_or_404(schools_visible_to(request.user), pk=school_id)
    codes = access_codes_visible_to(request.user).filter(
        round=evaluation_round, school=school, used_at__isnull=True, expires_at__gt=timezone.now()
    )
    group = request.GET.get("group")
    if group in RaterGroup.values:
        codes = codes.filter(group=group)
    classroom = None
    if request.GET.get("classroom", "").isdigit():
        classroom = get_object_or_404(Classroom, pk=request.GET["classroom"], school=school)
        codes = codes.filter(classroom=classroom)
    codes = list(
        codes.select_related("classroom").order_by("classroom_id", "group", "id")[:MAX_SHEET_CODES]
    )
    enter_url = request.build_absolute_uri(reverse("survey:enter"))
    cards = [
        {
            "code": code,
            "qr": qr_svg(request.build_absolute_uri(reverse("survey:code", args=[code.code]))),
        }
        for code in codes
    ]
    return render(
        request,
        "survey/sheet.html",
        {
            "evaluation_round": evaluation_round,
            "school": school,
            "classroom": classroom,
            "cards": cards,
            "enter_url": enter_url,
            "limit": MAX_SHEET_CODES,
        },
    )


# --- a class teacher's conduct evaluation (德育品行) ----------------------------------------------


def _current_term(day) -> int:
    """First term: September to January; second: February to August."""
    return 1 if day.month >= 9 or day.month == 1 else 2


@login_required
@require_http_methods(["GET", "POST"])
def conduct(request, round_id: int, classroom_id: int):
    """One page a class: the class teacher rates each student's conduct on every item, for the
    term. Another class's id gives 404; students already rated this term are listed as done."""
    classroom = get_object_or_404(classrooms_visible_to(request.user), pk=classroom_id)
    rules.may_rate_conduct(request.user, classroom).enforce()
    evaluation_round = get_object_or_404(
        EvaluationRound.objects.select_related("questionnaire"),
        pk=round_id,
        subject_kind=SubjectKind.STUDENT,
        status=RoundStatus.OPEN,
    )
    try:
        term = int(request.POST.get("term") or request.GET.get("term") or 0)
    except ValueError:
        term = 0
    if term not in round_services.TERMS:
        term = _current_term(timezone.localdate())
    students = list(classroom.students.filter(status=StudentStatus.ENROLLED).order_by("name"))
    done = selectors.conduct_rated(evaluation_round, term, students)
    pending = [s for s in students if s.pk not in done]
    form = RatingForm(
        request.POST if request.method == "POST" else None,
        teachers=pending,
        items=selectors.questionnaire_items(evaluation_round),
        labels={s.pk: s.name for s in pending},
        grid=True,
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = round_services.record_conduct(
                evaluation_round=evaluation_round,
                by=request.user,
                classroom=classroom,
                term=term,
                ratings=form.ratings,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已保存%(count)s名学生的评价") % {"count": len(saved)})
            return redirect(f"{request.path}?term={term}")
    return render(
        request,
        "survey/conduct.html",
        {
            "evaluation_round": evaluation_round,
            "classroom": classroom,
            "term": term,
            "terms": round_services.TERMS,
            "form": form,
            "done": [s for s in students if s.pk in done],
        },
    )
