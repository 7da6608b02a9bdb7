"""Large spreadsheet imports in the background, run by Django's tasks framework (``manage.py
db_worker``, as for report batches), so that no web request reads and checks a file of tens of
thousands of rows.

The steps are the import page's: the file is kept (``import_previews``), a preview job checks
it and reports what it would do; once the user confirms, a second job checks it again and
writes it, all or nothing. Each job keeps its progress (rows checked of the total) and its
outcome on an :class:`ImportJob` row, which the admin's job page shows and refreshes.
"""

from django.conf import settings
from django.db.models import QuerySet
from django.tasks import task
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from credit_registry import import_previews
from credit_registry.common.spreadsheets import UnreadableFile, read_table
from credit_registry.importing import ImportReport, RegistryResource, run_import
from credit_registry.models import BatchStatus, ImportJob, ImportStage


def background_rows() -> int:
    """Files with more rows than this are checked and imported in the background."""
    return settings.IMPORT_BACKGROUND_ROWS


def needs_background(raw: bytes, filename: str, resource_class) -> bool:
    """Whether a file is too large to check in the request (an unreadable one is not: the
    import page says why at once)."""
    try:
        table = read_table(raw, filename, expected=resource_class.columns())
    except UnreadableFile:
        return False
    return len(table) > background_rows()


def jobs_of(user) -> QuerySet[ImportJob]:
    """The import jobs a user may see: their own."""
    return ImportJob.objects.filter(created_by=user)


def start_import_job(
    *,
    by,
    resource_class: type[RegistryResource],
    model_label: str,
    filename: str,
    file_key: str,
    stage: str,
) -> ImportJob:
    """Record a job for a kept file and queue it. The task row is written in the caller's
    transaction, so a worker never sees the task before its job."""
    job = ImportJob.objects.create(
        resource=f"{resource_class.__module__}.{resource_class.__qualname__}",
        model_label=model_label,
        filename=filename,
        file_key=file_key,
        stage=stage,
        created_by=by,
    )
    result = run_import_job.enqueue(job.pk)
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id))
    return job


def confirm_import_job(*, by, preview: ImportJob) -> ImportJob:
    """Queue the import of a previewed file; the preview must be finished and clean."""
    report = ImportReport.from_dict(preview.report)
    if preview.stage != ImportStage.PREVIEW or preview.status != BatchStatus.DONE:
        raise ValueError(_("预览尚未完成"))
    if not report.ok:
        raise ValueError(_("预览发现问题，不能导入"))
    return start_import_job(
        by=by,
        resource_class=import_string(preview.resource),
        model_label=preview.model_label,
        filename=preview.filename,
        file_key=preview.file_key,
        stage=ImportStage.WRITE,
    )


@task()
def run_import_job(job_id: int) -> dict:
    job = ImportJob.objects.get(pk=job_id)
    if job.status != BatchStatus.QUEUED:
        return {"skipped": job.status}
    ImportJob.objects.filter(pk=job_id).update(status=BatchStatus.RUNNING)
    preview = job.stage == ImportStage.PREVIEW
    raw = import_previews.read(job.file_key) if preview else import_previews.take(job.file_key)
    if raw is None:
        return _finish(job_id, error=_("预览已过期（超过24小时）或已确认过，请重新上传文件"))
    resource_class = import_string(job.resource)
    if not (isinstance(resource_class, type) and issubclass(resource_class, RegistryResource)):
        return _finish(job_id, error=f"not an import resource: {job.resource}")

    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(done=done, total=total)

    try:
        report = run_import(
            resource_class=resource_class,
            raw=raw,
            filename=job.filename,
            by=job.created_by,
            dry_run=preview,
            progress=progress,
        )
    except Exception as error:  # the job says what went wrong; the worker goes on
        _finish(job_id, error=repr(error)[:2000])
        raise
    ImportJob.objects.filter(pk=job_id).update(done=report.total, total=report.total)
    return _finish(job_id, report=report.as_dict())


def _finish(job_id: int, *, report: dict | None = None, error: str = "") -> dict:
    ImportJob.objects.filter(pk=job_id).update(
        status=BatchStatus.FAILED if error else BatchStatus.DONE,
        report=report or {},
        error=error,
        finished_at=timezone.now(),
    )
    return report or {"error": error}
