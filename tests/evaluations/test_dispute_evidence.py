"""Evidence where decisions are made: files filed with an objection or a repair application,
checked as a record's evidence is, served only to the subject's side and the bureau."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evaluations.disputes import services as dispute_services
from evaluations.models import (
    LedgerAction,
    Objection,
    ObjectionEvidence,
    RecordStatus,
    RepairApplication,
    RepairEvidence,
)
from tests import factories

PDF = b"%PDF-1.4\n% objection evidence\n%%EOF\n"


@pytest.fixture(autouse=True)
def _private_files(private_storage):
    """Evidence is written to the test's own folder."""
    return private_storage


def _pdf(name="情况说明.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def record(bureau, teacher):
    return factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)


def test_teacher_objects_with_a_file_and_the_bureau_sees_it_on_queue_and_decide_page(
    client, bureau, teacher, record
):
    client.force_login(teacher.user)
    response = client.post(
        reverse("record_object", args=[record.pk]),
        {"reason": "当天不在场，附请假条。", "files": [_pdf()]},
    )
    assert response.status_code == 302
    objection = Objection.objects.get()
    evidence = objection.evidence.get()
    assert evidence.original_name == "情况说明.pdf" and evidence.content_type == "application/pdf"
    link = reverse("objection_file", args=[objection.pk, evidence.pk])
    # the filer sees the file on the record page and downloads it
    assert link in client.get(reverse("record_detail", args=[record.pk])).content.decode()
    download = client.get(link)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Cache-Control"] == "private, no-store"

    client.force_login(bureau)
    queue = client.get(reverse("admin:evaluations_objection_changelist"))
    assert link in queue.content.decode()
    decide = client.get(reverse("admin:evaluations_objection_decide", args=[objection.pk]))
    assert link in decide.content.decode() and "情况说明.pdf" in decide.content.decode()
    assert client.get(link).status_code == 200


def test_another_teacher_and_the_inspector_get_404_the_school_gets_the_file(
    client, bureau, inspector, teacher, other_teacher, principal, record
):
    objection = dispute_services.file_objection(
        record=record, by=teacher.user, reason="事实有误。", files=[_pdf()]
    )
    link = reverse("objection_file", args=[objection.pk, objection.evidence.get().pk])
    for outsider in (other_teacher.user, inspector):
        client.force_login(outsider)
        assert client.get(link).status_code == 404
    client.force_login(principal)
    assert client.get(link).status_code == 200
    # a file id under another objection is not this objection's file
    client.force_login(teacher.user)
    assert client.get(reverse("objection_file", args=[objection.pk, 999999])).status_code == 404


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("说明.pdf", b"PK\x03\x04 a zip file named like a PDF"),
        ("说明.docx", b"PK\x03\x04\x14\x00\x06\x00"),
        ("图.gif", b"GIF89a\x01\x00\x01\x00"),
    ],
)
def test_a_file_that_is_no_pdf_or_image_is_refused_and_nothing_is_written(
    client, teacher, record, private_storage, name, content
):
    client.force_login(teacher.user)
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = client.post(
        reverse("record_object", args=[record.pk]),
        {"reason": "事实有误。", "files": [_pdf("好的.pdf"), upload]},
        follow=True,
    )
    assert "只接受PDF、PNG或JPEG文件" in response.content.decode()
    assert name in response.content.decode()
    assert not Objection.objects.exists() and not ObjectionEvidence.objects.exists()
    record.refresh_from_db()
    assert record.status == RecordStatus.PUBLISHED
    assert not record.ledger.filter(action=LedgerAction.OBJECT).exists()
    assert not any(path.is_file() for path in private_storage.rglob("*"))


def test_more_than_three_files_are_refused(client, teacher, record):
    client.force_login(teacher.user)
    response = client.post(
        reverse("record_object", args=[record.pk]),
        {"reason": "事实有误。", "files": [_pdf(f"{n}.pdf") for n in range(4)]},
        follow=True,
    )
    assert "最多上传3个文件" in response.content.decode()
    assert not Objection.objects.exists()


def test_repair_application_carries_its_files_to_the_bureau(
    client, bureau, teacher, other_teacher, record, clock
):
    clock.move_to(record.published_at + datetime.timedelta(days=record.item.repair_min_days + 1))
    client.force_login(teacher.user)
    response = client.post(
        reverse("record_repair", args=[record.pk]),
        {"proof_kind": "training", "proof": "已参加信用修复培训。", "files": [_pdf("结业证.pdf")]},
    )
    assert response.status_code == 302
    application = RepairApplication.objects.get()
    evidence = RepairEvidence.objects.get(application=application)
    link = reverse("repair_file", args=[application.pk, evidence.pk])
    assert client.get(link).status_code == 200
    client.force_login(other_teacher.user)
    assert client.get(link).status_code == 404
    client.force_login(bureau)
    assert (
        link
        in client.get(reverse("admin:evaluations_repairapplication_changelist")).content.decode()
    )
    decide = reverse("admin:evaluations_repairapplication_decide", args=[application.pk])
    assert link in client.get(decide).content.decode()
