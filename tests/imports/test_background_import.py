"""Large files go through the background worker with the same two steps as the import page:
a preview with its progress, then, once confirmed, the import — all or nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from credit_registry import import_previews
from credit_registry.access import Role
from credit_registry.models import BatchStatus, ImportJob, ImportStage
from teachers.models import Teacher
from tests import factories
from tests.imports.test_imports import TEACHER_HEADERS, teacher_rows, xlsx

IMPORT = "admin:teachers_teacher_import"
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def small_threshold(settings):
    settings.IMPORT_BACKGROUND_ROWS = 3  # a 5-row file counts as large here


def _upload(client, rows, name="教师.xlsx"):
    return client.post(
        reverse(IMPORT), {"file": SimpleUploadedFile(name, xlsx(TEACHER_HEADERS, rows))}
    )


def test_a_large_file_is_previewed_then_imported_in_the_background(
    client, bureau, school, settings, small_threshold
):
    settings.TASKS = IMMEDIATE
    client.force_login(bureau)
    response = _upload(client, teacher_rows(school, 5))
    preview = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:teachers_teacher_import_job", args=[preview.pk])
    assert (preview.stage, preview.status) == (ImportStage.PREVIEW, BatchStatus.DONE)
    assert (preview.done, preview.total) == (5, 5)
    page = client.get(response["Location"])
    body = page.content.decode()
    assert "确认导入" in body and '<meta http-equiv="refresh"' not in body
    assert page.context["report"].new == 5
    assert not Teacher.objects.exists()  # a preview writes nothing

    confirmed = client.post(response["Location"])
    write = ImportJob.objects.exclude(pk=preview.pk).get()
    assert confirmed["Location"] == reverse("admin:teachers_teacher_import_job", args=[write.pk])
    assert (write.stage, write.status) == (ImportStage.WRITE, BatchStatus.DONE)
    assert Teacher.objects.count() == 5
    assert all(t.history.get().history_user == bureau for t in Teacher.objects.all())
    assert "导入完成：新增5" in client.get(confirmed["Location"]).content.decode()
    assert import_previews.read(preview.file_key) is None  # the upload is gone once imported


def test_a_queued_job_shows_its_progress_and_refreshes(client, bureau, school, small_threshold):
    client.force_login(bureau)  # the database backend: nothing runs until a worker does
    response = _upload(client, teacher_rows(school, 5))
    body = client.get(response["Location"]).content.decode()
    assert '<meta http-equiv="refresh"' in body and 'id="import-progress"' in body
    assert ImportJob.objects.get().status == BatchStatus.QUEUED


def test_a_large_file_with_problems_cannot_be_confirmed(
    client, bureau, school, settings, small_threshold
):
    settings.TASKS = IMMEDIATE
    client.force_login(bureau)
    rows = teacher_rows(school, 5)
    rows[3][2] = "未知"
    response = _upload(client, rows)
    body = client.get(response["Location"]).content.decode()
    assert "<td>5</td>" in body and "未知" in body and "确认导入" not in body
    client.post(response["Location"])  # confirming anyway is refused
    assert ImportJob.objects.count() == 1 and not Teacher.objects.exists()


def test_a_job_is_its_owners_only(client, bureau, school, settings, small_threshold):
    settings.TASKS = IMMEDIATE
    client.force_login(bureau)
    location = _upload(client, teacher_rows(school, 5))["Location"]
    other = factories.make_user("bureau-2", role=Role.BUREAU_ADMIN)
    client.force_login(other)
    assert client.get(location).status_code == 404
    assert client.post(location).status_code == 404
    assert not Teacher.objects.exists()


def test_a_small_file_stays_in_the_request(client, bureau, school, small_threshold):
    client.force_login(bureau)
    response = _upload(client, teacher_rows(school, 3))
    assert response.status_code == 200 and "确认导入" in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_database_worker_runs_both_steps(client, small_threshold):
    bureau = factories.make_user("bureau-worker", role=Role.BUREAU_ADMIN)
    school = factories.make_school("蕉城第二中学")
    client.force_login(bureau)
    location = _upload(client, teacher_rows(school, 5))["Location"]
    call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay")
    assert ImportJob.objects.get().status == BatchStatus.DONE
    client.post(location)
    call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay")
    assert Teacher.objects.count() == 5
