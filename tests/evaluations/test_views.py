"""The shared record page: scoped, with the subject's objection and repair forms."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evaluations.models import Objection, RecordStatus
from evaluations.records import services
from tests import factories


def test_teacher_sees_own_published_record_with_its_chain(client, bureau, teacher):
    record = factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    client.force_login(teacher.user)
    response = client.get(reverse("record_detail", args=[record.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "有偿补课" in body and record.ledger.get().hash[:12] in body
    assert reverse("record_object", args=[record.pk]) in body


def test_editing_the_id_in_the_url_gives_404(client, bureau, teacher, other_teacher):
    other = factories.make_record(other_teacher, "T-PAID-TUTORING", by=bureau)
    draft_about_me = factories.make_record(
        teacher, "T-GIFTS", by=bureau, status=RecordStatus.SUBMITTED
    )
    client.force_login(teacher.user)
    for pk in (other.pk, draft_about_me.pk, 999999):
        assert client.get(reverse("record_detail", args=[pk])).status_code == 404
        response = client.post(reverse("record_object", args=[pk]), {"reason": "x"})
        assert response.status_code == 404
    assert not Objection.objects.exists()


def test_teacher_objects_through_the_form(client, bureau, teacher):
    record = factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    client.force_login(teacher.user)
    response = client.post(reverse("record_object", args=[record.pk]), {"reason": "当天不在场"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == RecordStatus.UNDER_OBJECTION
    again = client.post(
        reverse("record_object", args=[record.pk]), {"reason": "再提一次"}, follow=True
    )
    assert "不能提出异议" in again.content.decode()
    assert Objection.objects.count() == 1


def test_evidence_is_served_only_to_those_who_see_the_record(
    client, bureau, teacher, other_teacher, private_storage
):
    record = factories.make_record(
        teacher, "T-PAID-TUTORING", by=bureau, status=RecordStatus.APPROVED
    )
    evidence = services.attach_evidence(
        record=record,
        by=bureau,
        uploaded_file=SimpleUploadedFile(
            "证据.pdf", b"%PDF-1.4 proof", content_type="application/pdf"
        ),
    )
    services.publish_record(record=record, by=bureau)
    url = reverse("record_evidence", args=[record.pk, evidence.pk])
    client.force_login(other_teacher.user)
    assert client.get(url).status_code == 404
    client.force_login(teacher.user)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 proof"
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_notices_list_shows_publication(client, bureau, teacher):
    factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    client.force_login(teacher.user)
    response = client.get(reverse("notices"))
    assert "有偿补课" in response.content.decode()
    assert not teacher.user.notices.filter(read_at__isnull=True).exists()
