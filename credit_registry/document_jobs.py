"""Single PDFs too large to typeset in the request, made by Django's tasks framework (``manage.py
db_worker``, as for report batches and large imports).

A document is typeset in the request only when it is quick, about a second at most; the rule is
:func:`needs_background`, a count of the records the document lists (a teacher's file costs
about 0.1 s plus 3–4 ms per record) against ``settings.PDF_BACKGROUND_RECORDS``; the district
report (1–1.5 s) always goes to the worker. A larger document becomes a :class:`DocumentJob`
of the user who asked: the task issues it exactly as the request would (the same ``issue``
function, a verification code registered in that user's name), keeps the bytes in the private
storage, and the job's page, which only that user sees, offers the download.
"""

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import Q, QuerySet
from django.tasks import task
from django.utils import timezone

from credit_registry.access import schools_visible_to, students_visible_to, teachers_visible_to
from credit_registry.models import BatchStatus, DocumentJob, DocumentKind
from credit_registry.reports import issue
from credit_registry.reports.documents import IssuedPdf
from evaluations.models import CreditRecord

# The typesetting cost measured for a file: a fixed part and a part per record, in seconds.
FIXED_SECONDS = 0.1
SECONDS_PER_RECORD = 0.0035
DISTRICT_SECONDS = 1.5


def background_records() -> int:
    """Documents listing more records than this are made in the background."""
    return settings.PDF_BACKGROUND_RECORDS


def record_count(kind: str, subject=None, *, year: int | None = None) -> int:
    """The records a document lists with their history: what its typesetting time grows with."""
    published = CreditRecord.objects.filter(published_at__isnull=False)
    if kind == DocumentKind.TEACHER_FILE:
        return published.filter(teacher=subject).count()
    if kind == DocumentKind.STUDENT_FILE:
        return published.filter(student=subject).count()
    if kind == DocumentKind.SCHOOL_REPORT:
        return published.filter(school=subject, year=year).count()
    return 0


def needs_background(kind: str, subject=None, *, year: int | None = None) -> bool:
    """Whether a document is too slow to typeset in the request (more than about a second)."""
    if kind == DocumentKind.DISTRICT_REPORT:
        return True
    return record_count(kind, subject, year=year) > background_records()


def estimated_seconds(job: DocumentJob) -> float:
    if job.kind == DocumentKind.DISTRICT_REPORT:
        return DISTRICT_SECONDS
    return FIXED_SECONDS + SECONDS_PER_RECORD * job.records


def jobs_of(user) -> QuerySet[DocumentJob]:
    """The document jobs a user may see: their own, while the person or school each is about is
    still in their scope (a principal moved to another school no longer downloads the files of
    the first)."""
    return DocumentJob.objects.filter(created_by=user).filter(
        Q(teacher__isnull=True) | Q(teacher__in=teachers_visible_to(user)),
        Q(student__isnull=True) | Q(student__in=students_visible_to(user)),
        Q(school__isnull=True) | Q(school__in=schools_visible_to(user)),
    )


def start_document_job(
    *, kind: str, by, base_url: str, subject=None, year: int | None = None
) -> DocumentJob:
    """Record a job for a document the caller has already found ``by`` may have, and queue it.
    The task row is written in the caller's transaction, so a worker never sees the task
    before its job."""
    job = DocumentJob.objects.create(
        kind=kind,
        teacher=subject if kind == DocumentKind.TEACHER_FILE else None,
        student=subject if kind == DocumentKind.STUDENT_FILE else None,
        school=subject if kind == DocumentKind.SCHOOL_REPORT else None,
        year=year,
        records=record_count(kind, subject, year=year),
        base_url=base_url,
        created_by=by,
    )
    result = issue_document_job.enqueue(job.pk)
    DocumentJob.objects.filter(pk=job.pk).update(task_id=str(result.id))
    return job


def _issue(job: DocumentJob) -> IssuedPdf:
    by, base_url = job.created_by, job.base_url
    if job.kind == DocumentKind.TEACHER_FILE:
        return issue.teacher_file_pdf(teacher=job.teacher, by=by, base_url=base_url)
    if job.kind == DocumentKind.STUDENT_FILE:
        return issue.student_file_pdf(student=job.student, by=by, base_url=base_url)
    if job.kind == DocumentKind.SCHOOL_REPORT:
        return issue.school_report_pdf(school=job.school, year=job.year, by=by, base_url=base_url)
    return issue.district_report_pdf(year=job.year, by=by, base_url=base_url)


@task()
def issue_document_job(job_id: int) -> dict:
    """Typeset a job's document and keep it for its owner to download."""
    job = DocumentJob.objects.select_related("created_by", "teacher", "student", "school").get(
        pk=job_id
    )
    if job.status != BatchStatus.QUEUED:
        return {"job": job_id, "skipped": job.status}
    DocumentJob.objects.filter(pk=job_id).update(
        status=BatchStatus.RUNNING, started_at=timezone.now()
    )
    pdf = None
    try:
        pdf = _issue(job)
        job.pdf_file.save(f"job-{job.pk}_{pdf.document.code}.pdf", ContentFile(pdf.content), False)
    except Exception as error:  # the job's page says what went wrong; the worker goes on
        if pdf is not None:  # issued but never handed out: its code must not verify
            pdf.document.delete()
        DocumentJob.objects.filter(pk=job_id).update(
            status=BatchStatus.FAILED, error=repr(error)[:2000], finished_at=timezone.now()
        )
        raise
    DocumentJob.objects.filter(pk=job_id).update(
        status=BatchStatus.DONE,
        document=pdf.document,
        pdf_file=job.pdf_file.name,
        filename=pdf.filename,
        finished_at=timezone.now(),
    )
    return {"job": job_id, "document": pdf.document.code, "pages": pdf.document.pages}


def progress_percent(job: DocumentJob) -> int:
    """How far a job has got, for its page: the time it has run against its estimate (a
    typesetting reports no steps of its own), never 100 before it is done."""
    if job.status == BatchStatus.DONE:
        return 100
    if job.status != BatchStatus.RUNNING or job.started_at is None:
        return 0
    elapsed = (timezone.now() - job.started_at).total_seconds()
    return max(5, min(95, round(100 * elapsed / estimated_seconds(job))))
