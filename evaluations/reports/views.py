"""Downloading PDF reports: one document per request, typeset with a fresh verification code.

Who may have which document starts from ``credit_registry.access``: a teacher their own file;
a principal the files of their school's teachers and students and the school's report; the
bureau everything, including the district report. Whole schools or the whole district go
through background batches in the admin site, never one request. Issuing is a POST: each PDF
is a registered document, not something a link prefetcher should create.

A document that would take more than about a second to typeset (``document_jobs.
needs_background``) is not made in the request: it becomes a job for the background worker and
the user is sent to the job's page, which shows its progress and then offers the download.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from credit_registry import document_jobs
from credit_registry.access import (
    Role,
    is_bureau,
    may_issue_student_file,
    role_of,
    school_of,
    schools_visible_to,
    students_visible_to,
    teacher_of,
    teachers_visible_to,
)
from credit_registry.audit import log_access
from credit_registry.common.identity import normalize_code
from credit_registry.common.years import academic_year_label
from credit_registry.models import AccessAction, BatchStatus, DocumentKind
from credit_registry.reports import issue
from credit_registry.reports.documents import IssuedPdf, public_base_url
from evaluations.models import AssessmentYear

SCHOOL_REPORT_ROLES = (Role.BUREAU_ADMIN, Role.PRINCIPAL)


def _pdf_response(pdf: IssuedPdf) -> HttpResponse:
    response = HttpResponse(pdf.content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=pdf.filename
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _code_of(pdf: IssuedPdf) -> str:
    # The file name carries the person's name; the access log keeps only masked data.
    return f"验证码 {pdf.document.code}"


def _years() -> list[int]:
    return list(AssessmentYear.objects.order_by("-year").values_list("year", flat=True))


def _posted_int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def _posted_year(request) -> int:
    year = _posted_int(request.POST.get("year"))
    if not AssessmentYear.objects.filter(year=year).exists():
        raise Http404(_("没有该学年"))
    return year


def _in_background(request, kind: str, subject=None, *, year: int | None = None):
    """The job page of a document too slow to typeset in this request, or None."""
    if not document_jobs.needs_background(kind, subject, year=year):
        return None
    job = document_jobs.start_document_job(
        kind=kind, by=request.user, base_url=public_base_url(request), subject=subject, year=year
    )
    return redirect("reports:job", pk=job.pk)


@login_required
def index(request):
    """What this user may download, as buttons."""
    role = role_of(request.user)
    years = [(y, academic_year_label(y)) for y in _years()]
    context = {"role": role.value, "years": years}
    if role == Role.TEACHER:
        context["own_teacher"] = teacher_of(request.user)
    if role == Role.PRINCIPAL:
        context["school"] = school_of(request.user)
        context["teachers"] = teachers_visible_to(request.user).order_by("name")
    if role == Role.BUREAU_ADMIN:
        context["schools"] = schools_visible_to(request.user).order_by("code")
    context["may_issue_student_files"] = may_issue_student_file(request.user)
    context["may_look_up_teachers"] = role in (Role.BUREAU_ADMIN, Role.PRINCIPAL)
    return render(request, "reports/index.html", context)


@login_required
@require_POST
def teacher_file(request, pk: int):
    teacher = get_object_or_404(teachers_visible_to(request.user), pk=pk)
    if job_page := _in_background(request, DocumentKind.TEACHER_FILE, teacher):
        return job_page
    pdf = issue.teacher_file_pdf(
        teacher=teacher, by=request.user, base_url=public_base_url(request)
    )
    log_access(request.user, AccessAction.DOWNLOAD_FILE_PDF, teacher, detail=_code_of(pdf))
    return _pdf_response(pdf)


@login_required
@require_POST
def teacher_file_by_id_number(request):
    number = normalize_code(request.POST.get("number", ""))
    teacher = get_object_or_404(teachers_visible_to(request.user), id_number=number)
    return teacher_file(request, teacher.pk)


@login_required
@require_POST
def student_file(request, pk: int):
    if not may_issue_student_file(request.user):
        raise Http404
    student = get_object_or_404(students_visible_to(request.user), pk=pk)
    if job_page := _in_background(request, DocumentKind.STUDENT_FILE, student):
        return job_page
    pdf = issue.student_file_pdf(
        student=student, by=request.user, base_url=public_base_url(request)
    )
    log_access(request.user, AccessAction.DOWNLOAD_FILE_PDF, student, detail=_code_of(pdf))
    return _pdf_response(pdf)


@login_required
@require_POST
def student_file_by_number(request):
    if not may_issue_student_file(request.user):
        raise Http404
    number = normalize_code(request.POST.get("number", ""))
    student = get_object_or_404(students_visible_to(request.user), student_number=number)
    return student_file(request, student.pk)


@login_required
@require_POST
def school_report(request):
    if role_of(request.user) not in SCHOOL_REPORT_ROLES:
        raise Http404
    school = get_object_or_404(
        schools_visible_to(request.user), pk=_posted_int(request.POST.get("school"))
    )
    year = _posted_year(request)
    if job_page := _in_background(request, DocumentKind.SCHOOL_REPORT, school, year=year):
        return job_page
    pdf = issue.school_report_pdf(
        school=school, year=year, by=request.user, base_url=public_base_url(request)
    )
    return _pdf_response(pdf)


@login_required
@require_POST
def district_report(request):
    if not is_bureau(request.user):
        raise Http404
    year = _posted_year(request)
    if job_page := _in_background(request, DocumentKind.DISTRICT_REPORT, year=year):
        return job_page
    pdf = issue.district_report_pdf(year=year, by=request.user, base_url=public_base_url(request))
    return _pdf_response(pdf)


@login_required
def job(request, pk: int):
    """A document made in the background: its progress (the page refreshes itself while the
    worker runs), then its download, or what went wrong. Its requester's only."""
    job = get_object_or_404(document_jobs.jobs_of(request.user), pk=pk)
    context = {
        "job": job,
        "percent": document_jobs.progress_percent(job),
        "year_label": academic_year_label(job.year) if job.year else "",
    }
    return render(request, "reports/job.html", context)


@login_required
@require_POST
def job_download(request, pk: int):
    jobs = document_jobs.jobs_of(request.user).filter(status=BatchStatus.DONE)
    job = get_object_or_404(jobs.select_related("document", "teacher", "student"), pk=pk)
    if job.document is None or not job.pdf_file:
        raise Http404
    try:
        with job.pdf_file.open("rb") as stored:
            pdf = IssuedPdf(document=job.document, content=stored.read(), filename=job.filename)
    except FileNotFoundError:
        raise Http404 from None
    if job.teacher or job.student:
        log_access(request.user, AccessAction.DOWNLOAD_FILE_PDF, job.subject, detail=_code_of(pdf))
    return _pdf_response(pdf)
