"""The bureau's admin site: every page opens, lists do not grow in queries, roles are kept
apart, and ledger steps go through the services."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations import services
from evaluations.models import CreditRecord, LedgerEntry, RecordStatus
from tests import factories


@pytest.fixture
def district(bureau, school):
    teacher = factories.make_teacher(school, "甲")
    student = factories.make_student(school, factories.make_classroom(school, teacher))
    record = factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    services.file_objection(record=record, by=teacher.user, reason="x")
    factories.make_record(student, "ST-COPYING-HOMEWORK", by=bureau)
    services.ensure_year(year=record.year)
    services.receive_clue(
        channel="staff", subject_description="甲", content="补课", teacher=teacher
    )
    return {"teacher": teacher, "student": student, "record": record}


def test_every_changelist_and_add_page_opens_for_the_bureau(client, bureau, district):
    client.force_login(bureau)
    ours = {"auth", "schools", "teachers", "students", "evaluations", "credit_registry"}
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in ours:
            continue  # task results and lockouts are for superusers only
        info = model._meta.app_label, model._meta.model_name
        response = client.get(reverse("admin:{}_{}_changelist".format(*info)))
        assert response.status_code == 200, model
        if model_admin.has_add_permission(type("R", (), {"user": bureau})()):
            assert client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 200, model


@pytest.mark.parametrize(
    "model", ["evaluations_creditrecord", "teachers_teacher", "students_student"]
)
def test_changelist_queries_do_not_grow_with_rows(client, bureau, school, model):
    client.force_login(bureau)
    url = reverse(f"admin:{model}_changelist")

    def add(n):
        for _ in range(n):
            teacher = factories.make_teacher(school)
            student = factories.make_student(school, factories.make_classroom(school, teacher))
            factories.make_record(teacher, "T-GIFTS", by=bureau, status=RecordStatus.SUBMITTED)
            factories.make_record(
                student, "ST-COPYING-HOMEWORK", by=bureau, status=RecordStatus.SUBMITTED
            )

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    add(3)
    small = count()
    add(12)
    assert count() == small


def test_principals_and_teachers_are_kept_out(client, principal, teacher):
    for user in (principal, teacher.user):
        client.force_login(user)
        response = client.get(reverse("admin:evaluations_creditrecord_changelist"))
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_inspector_sees_only_the_subjects_of_own_clues(
    client, bureau, inspector, district, other_school
):
    stranger = factories.make_teacher(other_school, "外校")
    other = factories.make_record(stranger, "T-GIFTS", by=bureau)
    clue = services.receive_clue(
        channel="staff", subject_description="外校", content="x", teacher=stranger
    )
    services.assign_clue(clue=clue, inspector=inspector, by=bureau)
    client.force_login(inspector)
    response = client.get(reverse("admin:evaluations_creditrecord_changelist"))
    ids = {r.pk for r in response.context["cl"].result_list}
    assert ids == {other.pk}
    assert (
        client.get(
            reverse("admin:evaluations_creditrecord_change", args=[district["record"].pk])
        ).status_code
        == 302
    )
    assert client.get(reverse("admin:students_student_changelist")).status_code == 403


def test_publish_action_appends_to_the_ledger(client, bureau, teacher):
    record = factories.make_record(teacher, "T-GIFTS", by=bureau, status=RecordStatus.SUBMITTED)
    client.force_login(bureau)
    url = reverse("admin:evaluations_creditrecord_changelist")
    client.post(url, {"action": "approve", "_selected_action": [record.pk]})
    client.post(url, {"action": "publish", "_selected_action": [record.pk]})
    record.refresh_from_db()
    assert record.status == RecordStatus.PUBLISHED
    assert LedgerEntry.objects.filter(record=record, action="publish").count() == 1


def test_published_record_is_read_only_in_the_admin(client, bureau, teacher):
    record = factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    client.force_login(bureau)
    url = reverse("admin:evaluations_creditrecord_change", args=[record.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="points"' not in page.content.decode()
    assert "记录链" in page.content.decode()
    client.post(url, {"points": "0", "narrative": "改"})
    assert CreditRecord.objects.get(pk=record.pk).points == -10


def test_objection_is_decided_through_the_admin_form(client, bureau, district):
    objection = district["record"].objections.get()
    client.force_login(bureau)
    response = client.post(
        reverse("admin:evaluations_objection_decide", args=[objection.pk]),
        {"outcome": "amended", "reason": "改为扣5分", "points": "-5"},
    )
    assert response.status_code == 302
    record = district["record"]
    record.refresh_from_db()
    assert record.status == RecordStatus.AMENDED and record.amendments.get().points == -5


def test_adding_a_record_in_the_admin_lands_submitted(client, bureau, teacher):
    client.force_login(bureau)
    from django.utils import timezone

    response = client.post(
        reverse("admin:evaluations_creditrecord_add"),
        {
            "teacher": teacher.pk,
            "item": factories.item("T-GIFTS").pk,
            "points": "-8",
            "occurred_on": timezone.localdate().isoformat(),
            "source": "routine",
            "narrative": "收受礼金",
            "evidence-TOTAL_FORMS": "0",
            "evidence-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    record = CreditRecord.objects.get()
    assert record.status == RecordStatus.SUBMITTED and record.recorded_by == bureau
