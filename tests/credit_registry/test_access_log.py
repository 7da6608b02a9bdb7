"""Every view that shows or hands out a person's data leaves exactly one line in the access log;
only bureau admins read the log."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from credit_registry.models import AccessAction, AccessLog
from credit_registry.reports.documents import IssuedPdf
from evaluations.clues import services
from evaluations.reports import views as report_views
from tests import factories


@pytest.fixture
def fake_pdfs(monkeypatch):
    """Typesetting is not what these tests are about: the views get a ready document."""

    def fake(**kwargs):
        return IssuedPdf(
            document=SimpleNamespace(code="ABCD2345EFGH"), content=b"%PDF-1.7", filename="x.pdf"
        )

    monkeypatch.setattr(report_views.issue, "teacher_file_pdf", fake)
    monkeypatch.setattr(report_views.issue, "student_file_pdf", fake)


def only_line():
    lines = list(AccessLog.objects.all())
    assert len(lines) == 1, lines
    return lines[0]


def test_principal_viewing_a_teachers_file_is_logged(client, principal, teacher):
    client.force_login(principal)
    assert client.get(reverse("teachers:file", args=[teacher.pk])).status_code == 200
    line = only_line()
    assert line.user == principal
    assert line.role == "principal"
    assert line.action == AccessAction.VIEW_TEACHER_FILE
    assert line.subject_key == f"teacher:{teacher.pk}"
    assert teacher.name not in line.subject_description  # masked


def test_bureau_viewing_a_teachers_file_is_logged(client, bureau, teacher):
    client.force_login(bureau)
    assert client.get(reverse("teachers:file", args=[teacher.pk])).status_code == 200
    line = only_line()
    assert (line.user, line.action) == (bureau, AccessAction.VIEW_TEACHER_FILE)
    assert line.subject_key == f"teacher:{teacher.pk}"


def test_teacher_viewing_their_own_file_leaves_no_line(client, teacher):
    client.force_login(teacher.user)
    assert client.get(reverse("teachers:my_file")).status_code == 200
    assert client.get(reverse("teachers:file", args=[teacher.pk])).status_code == 200
    assert not AccessLog.objects.exists()


def test_refused_file_leaves_no_line(client, teacher, other_school):
    stranger = factories.make_teacher(other_school, "外校老师")
    client.force_login(teacher.user)
    assert client.get(reverse("teachers:file", args=[stranger.pk])).status_code == 404
    assert not AccessLog.objects.exists()


def test_teacher_file_pdf_download_is_logged(client, principal, teacher, fake_pdfs):
    client.force_login(principal)
    response = client.post(reverse("reports:teacher_file", args=[teacher.pk]))
    assert response.status_code == 200
    line = only_line()
    assert (line.user, line.action) == (principal, AccessAction.DOWNLOAD_FILE_PDF)
    assert line.subject_key == f"teacher:{teacher.pk}"
    assert "ABCD2345EFGH" in line.detail


def test_teacher_file_pdf_found_by_id_number_is_logged_once(client, principal, teacher, fake_pdfs):
    client.force_login(principal)
    response = client.post(reverse("reports:teacher_lookup"), {"number": teacher.id_number})
    assert response.status_code == 200
    assert only_line().subject_key == f"teacher:{teacher.pk}"


def test_student_file_pdf_download_is_logged(client, principal, school, fake_pdfs):
    student = factories.make_student(school)
    client.force_login(principal)
    assert client.post(reverse("reports:student_file", args=[student.pk])).status_code == 200
    line = only_line()
    assert (line.user, line.action) == (principal, AccessAction.DOWNLOAD_FILE_PDF)
    assert line.subject_key == f"student:{student.pk}"


def test_refused_pdf_leaves_no_line(client, teacher, other_teacher, fake_pdfs):
    client.force_login(teacher.user)
    assert client.post(reverse("reports:teacher_file", args=[other_teacher.pk])).status_code == 404
    assert not AccessLog.objects.exists()


def _export(client, url: str, fields: dict):
    return client.post(url, {"format": "1", "resource": "0", **fields})


def test_admin_export_of_teachers_is_logged_with_model_and_rows(
    client, bureau, teacher, other_teacher
):
    client.force_login(bureau)
    response = _export(
        client, reverse("admin:teachers_teacher_export"), {"teacherresource_name": "on"}
    )
    assert response.status_code == 200
    line = only_line()
    assert (line.user, line.action) == (bureau, AccessAction.EXPORT_PERSONAL_DATA)
    assert line.subject_key == ""
    assert "teachers.teacher" in line.detail
    assert "2行" in line.detail


def test_admin_export_of_students_is_logged(client, bureau, school):
    factories.make_student(school)
    client.force_login(bureau)
    response = _export(
        client, reverse("admin:students_student_export"), {"studentresource_name": "on"}
    )
    assert response.status_code == 200
    line = only_line()
    assert line.action == AccessAction.EXPORT_PERSONAL_DATA
    assert "students.student" in line.detail
    assert "1行" in line.detail


def test_admin_export_of_schools_is_not_personal_data(client, bureau, school):
    client.force_login(bureau)
    response = _export(client, reverse("admin:schools_school_export"), {})
    assert response.status_code == 200
    assert not AccessLog.objects.exists()


def test_export_form_alone_leaves_no_line(client, bureau, teacher):
    client.force_login(bureau)
    assert client.get(reverse("admin:teachers_teacher_export")).status_code == 200
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize("model", ["teacher", "student"])
def test_bureau_seeing_a_full_id_number_is_logged_per_page(client, bureau, school, model):
    person = (
        factories.make_teacher(school) if model == "teacher" else factories.make_student(school)
    )
    client.force_login(bureau)
    url = reverse(f"admin:{person._meta.app_label}_{model}_change", args=[person.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert person.id_number in response.content.decode()
    line = only_line()
    assert (line.user, line.action) == (bureau, AccessAction.VIEW_PERSONAL_DATA)
    assert line.subject_key == f"{model}:{person.pk}"
    client.get(url)
    assert AccessLog.objects.count() == 2


def test_bureau_list_of_masked_numbers_leaves_no_line(client, bureau, teacher):
    client.force_login(bureau)
    assert client.get(reverse("admin:teachers_teacher_changelist")).status_code == 200
    assert not AccessLog.objects.exists()


def test_inspector_sees_a_masked_number_and_leaves_no_line(client, inspector, bureau, teacher):

    clue = services.receive_clue(
        channel="staff", subject_description="王老师", content="有偿补课", teacher=teacher
    )
    services.assign_clue(clue=clue, inspector=inspector, by=bureau)
    client.force_login(inspector)
    response = client.get(reverse("admin:teachers_teacher_change", args=[teacher.pk]))
    assert response.status_code == 200
    assert teacher.id_number not in response.content.decode()
    assert not AccessLog.objects.exists()


def test_only_bureau_admins_open_the_access_log(client, bureau, inspector, principal, teacher):
    url = reverse("admin:credit_registry_accesslog_changelist")
    client.force_login(bureau)
    assert client.get(url).status_code == 200
    client.force_login(inspector)
    assert client.get(url).status_code == 403
    for user in (principal, teacher.user):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
