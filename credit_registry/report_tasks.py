"""Batches of PDFs (every teacher of a school or of the district, every school's report) made in
the background by Django's tasks framework — ``manage.py db_worker`` runs them — so that no web
request ever typesets a whole district.

A batch is three kinds of task: the plan (count the subjects, cut them into parts), one task per
part (typeset its PDFs into a part zip), and the assembly (one zip with a manifest), queued by
whichever part finishes last. Parts are independent, so several ``db_worker`` processes share a
district. Progress (documents done of total, parts done) is kept on the :class:`ReportBatch` row
and shown in the admin site.
"""

import csv
import io
import os
import tempfile
import zipfile

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, QuerySet
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from credit_registry.access import is_bureau
from credit_registry.common.years import academic_year_label
from credit_registry.models import BatchKind, BatchStatus, ReportBatch
from credit_registry.reports import data, issue
from schools.models import School
from teachers.models import Teacher

PART_SIZE = 25  # subjects per part: about half a minute of typesetting
MANIFEST = "清单_manifest.csv"
MANIFEST_HEADER = ["文件 file", "验证码 code", "对象 subject", "SHA-256", "页数 pages"]


def start_batch(
    *, kind: str, by, base_url: str, school: School | None = None, year: int | None = None
) -> ReportBatch:
    """Record a batch and queue it for the workers. Bureau only."""
    if not is_bureau(by):
        raise PermissionDenied(_("只有局机关可以批量生成报告"))
    batch = ReportBatch(kind=kind, school=school, year=year, created_by=by, base_url=base_url)
    batch.full_clean()
    batch.save()
    enqueue_batch(batch=batch)
    return batch


def enqueue_batch(*, batch: ReportBatch) -> None:
    """Queue a saved batch. The task row is written in the caller's transaction, so a worker
    never sees the task before its batch."""
    result = plan_report_batch.enqueue(batch.pk)
    batch.task_id = str(result.id)
    ReportBatch.objects.filter(pk=batch.pk).update(task_id=batch.task_id)


def _subjects(batch: ReportBatch) -> QuerySet:
    if batch.kind == BatchKind.SCHOOL_REPORTS:
        return School.objects.filter(active=True).order_by("code")
    teachers = Teacher.objects.filter(school__isnull=False).select_related("school")
    if batch.kind == BatchKind.SCHOOL_TEACHERS:
        teachers = teachers.filter(school=batch.school)
    return teachers.order_by("school__code", "name", "pk")


def _part_name(batch_id: int, part: int) -> str:
    return f"reports/batches/parts/{batch_id}/{part:05d}.zip"


def _fail(batch_id: int, error: BaseException) -> None:
    ReportBatch.objects.filter(pk=batch_id).update(
        status=BatchStatus.FAILED, finished_at=timezone.now(), error=repr(error)[:2000]
    )


@task()
def plan_report_batch(batch_id: int) -> dict:
    """Count the batch's subjects and queue one task per part of ``PART_SIZE``."""
    batch = ReportBatch.objects.get(pk=batch_id)
    if batch.status != BatchStatus.QUEUED:
        return {"batch": batch_id, "skipped": batch.status}
    ids = list(_subjects(batch).values_list("pk", flat=True))
    parts = [ids[i : i + PART_SIZE] for i in range(0, len(ids), PART_SIZE)]
    ReportBatch.objects.filter(pk=batch_id).update(
        status=BatchStatus.RUNNING,
        started_at=timezone.now(),
        total=len(ids),
        done=0,
        parts_total=len(parts),
        parts_done=0,
        error="",
    )
    if not parts:
        assemble_report_batch.enqueue(batch_id)
    for number, part in enumerate(parts):
        generate_batch_part.enqueue(batch_id, number, part)
    return {"batch": batch_id, "subjects": len(ids), "parts": len(parts)}


@task()
def generate_batch_part(batch_id: int, part: int, subject_ids: list[int]) -> dict:
    """Typeset one part's PDFs into a part zip; the last part to finish queues the assembly."""
    batch = ReportBatch.objects.select_related("created_by").get(pk=batch_id)
    if batch.status != BatchStatus.RUNNING:
        return {"batch": batch_id, "part": part, "skipped": batch.status}
    try:
        by_id = _subjects(batch).filter(pk__in=subject_ids).in_bulk()
        subjects = [by_id[pk] for pk in subject_ids if pk in by_id]
        eligibility = (
            data.teacher_eligibility_many(subjects)
            if batch.kind != BatchKind.SCHOOL_REPORTS
            else {}
        )
        manifest = io.StringIO()
        writer = csv.writer(manifest)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for subject in subjects:
                pdf, folder = _one(batch, subject, eligibility)
                name = f"{folder}/{pdf.filename}"
                archive.writestr(name, pdf.content)
                document = pdf.document
                writer.writerow(
                    [
                        name,
                        document.display_code,
                        document.subject_description,
                        document.sha256,
                        document.pages,
                    ]
                )
                ReportBatch.objects.filter(pk=batch_id).update(done=F("done") + 1)
            archive.writestr(MANIFEST, manifest.getvalue())
        buffer.seek(0)
        default_storage.delete(_part_name(batch_id, part))
        default_storage.save(_part_name(batch_id, part), File(buffer))
    except Exception as error:
        _fail(batch_id, error)
        raise
    with transaction.atomic():
        locked = ReportBatch.objects.select_for_update().get(pk=batch_id)
        locked.parts_done += 1
        locked.save(update_fields=["parts_done"])
        last = locked.parts_done == locked.parts_total and locked.status == BatchStatus.RUNNING
    if last:
        assemble_report_batch.enqueue(batch_id)
    return {"batch": batch_id, "part": part, "documents": len(subjects)}


def _one(batch: ReportBatch, subject, eligibility: dict):
    if batch.kind == BatchKind.SCHOOL_REPORTS:
        pdf = issue.school_report_pdf(
            school=subject,
            year=batch.year,
            by=batch.created_by,
            base_url=batch.base_url,
            batch=batch,
        )
        return pdf, f"{subject.code}_{subject.name}"
    pdf = issue.teacher_file_pdf(
        teacher=subject,
        by=batch.created_by,
        base_url=batch.base_url,
        batch=batch,
        eligibility=eligibility.get(subject.pk),
    )
    return pdf, f"{subject.school.code}_{subject.school.name}"


@task()
def assemble_report_batch(batch_id: int) -> dict:
    """Merge the part zips into one zip with one manifest, in the private storage."""
    batch = ReportBatch.objects.select_related("school").get(pk=batch_id)
    if batch.status != BatchStatus.RUNNING:
        return {"batch": batch_id, "skipped": batch.status}
    handle, path = tempfile.mkstemp(suffix=".zip")
    os.close(handle)
    try:
        manifest = io.StringIO()
        csv.writer(manifest).writerow(MANIFEST_HEADER)
        files = 0
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as packed:
            for part in range(batch.parts_total):
                with (
                    default_storage.open(_part_name(batch_id, part), "rb") as handle,
                    zipfile.ZipFile(handle) as archive,
                ):
                    for info in archive.infolist():
                        content = archive.read(info)
                        if info.filename == MANIFEST:
                            manifest.write(content.decode())
                        else:
                            packed.writestr(info.filename, content)
                            files += 1
            packed.writestr(MANIFEST, "\ufeff" + manifest.getvalue())
        with open(path, "rb") as handle:
            batch.zip_file.save(_zip_name(batch), File(handle), save=False)
        batch.status = BatchStatus.DONE
        batch.finished_at = timezone.now()
        batch.save(update_fields=["zip_file", "status", "finished_at"])
        for part in range(batch.parts_total):
            default_storage.delete(_part_name(batch_id, part))
    except Exception as error:
        _fail(batch_id, error)
        raise
    finally:
        os.unlink(path)
    return {"batch": batch_id, "documents": files}


def _zip_name(batch: ReportBatch) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    if batch.kind == BatchKind.SCHOOL_REPORTS:
        label = f"各学校{academic_year_label(batch.year)}年度诚信报告"
    elif batch.kind == BatchKind.SCHOOL_TEACHERS:
        label = f"{batch.school.code}_教师师德诚信档案"
    else:
        label = "全区教师师德诚信档案"
    return f"batch-{batch.pk}_{label}_{stamp}.zip"
