"""The rule-book decides once: a page offers an action exactly when the service accepts it, and
the admin site changes people only through the same services as the portals."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from credit_registry import access
from evaluations.disputes import services as dispute_services
from evaluations.models import CreditRecord, RecordStatus
from evaluations.records import services as record_services
from students.models import Enrolment, EnrolmentEvent, ParentCode
from students.services import issue_parent_code
from teachers.models import Posting
from tests import factories

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
PUBLISHED_AT = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)


def _at(day: datetime.date):
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(9, 30), tzinfo=SHANGHAI), tick=False
    )


@pytest.fixture
def published(bureau, teacher):
    with _at(PUBLISHED_AT.date() - datetime.timedelta(days=5)):
        record = factories.make_record(teacher, "T-PAID-TUTORING", by=bureau, status="approved")
    with time_machine.travel(PUBLISHED_AT, tick=False):
        return record_services.publish_record(record=record, by=bureau)


def _offers_objection(client, record) -> tuple[bool, bool]:
    """(record page offers the form, teacher's file offers the link)."""
    detail = client.get(reverse("record_detail", args=[record.pk])).content.decode()
    file = client.get(reverse("teachers:my_file")).content.decode()
    form = reverse("record_object", args=[record.pk])
    return form in detail, "提出异议（" in file


@pytest.mark.parametrize(("day", "offered"), [(15, True), (16, False)])
def test_the_objection_is_offered_exactly_while_the_service_accepts_it(
    client, published, teacher, day, offered
):
    with _at(PUBLISHED_AT.date() + datetime.timedelta(days=day)):
        client.force_login(teacher.user)  # a session from another day would have expired
        assert _offers_objection(client, published) == (offered, offered)
        if offered:
            dispute_services.file_objection(record=published, by=teacher.user, reason="事实有误")
        else:
            with pytest.raises(ValidationError) as refused:
                dispute_services.file_objection(
                    record=published, by=teacher.user, reason="事实有误"
                )
            assert refused.value.code == "objection_window"


def test_no_second_objection_is_offered_after_one_was_upheld(client, bureau, published, teacher):
    with _at(PUBLISHED_AT.date() + datetime.timedelta(days=3)):
        client.force_login(teacher.user)
        objection = dispute_services.file_objection(
            record=published, by=teacher.user, reason="有误"
        )
        dispute_services.decide_objection(
            objection=objection, by=bureau, outcome="upheld", reason="属实"
        )
        published.refresh_from_db()
        assert published.status == RecordStatus.PUBLISHED
        assert _offers_objection(client, published) == (False, False)
        with pytest.raises(ValidationError) as refused:
            dispute_services.file_objection(record=published, by=teacher.user, reason="再次异议")
        assert refused.value.code == "already_objected"


def _offers_repair(client, record) -> tuple[bool, bool]:
    detail = client.get(reverse("record_detail", args=[record.pk])).content.decode()
    file = client.get(reverse("teachers:my_file")).content.decode()
    form = reverse("record_repair", args=[record.pk])
    return form in detail, f'{reverse("record_detail", args=[record.pk])}">申请信用修复' in file


def test_repair_is_offered_from_the_first_day_the_service_accepts_it(client, published, teacher):
    first_day = published.repairable_from
    with _at(first_day - datetime.timedelta(days=1)):
        client.force_login(teacher.user)
        assert _offers_repair(client, published) == (False, False)
        page = client.get(reverse("record_detail", args=[published.pk])).content.decode()
        assert f"{first_day:%Y-%m-%d}起方可申请信用修复" in page
        with pytest.raises(ValidationError):
            dispute_services.apply_for_repair(
                record=published, by=teacher.user, proof_kind="training", proof="已培训"
            )
    with _at(first_day):
        client.force_login(teacher.user)
        assert _offers_repair(client, published) == (True, True)
        dispute_services.apply_for_repair(
            record=published, by=teacher.user, proof_kind="training", proof="已参加师德培训"
        )
        # One application at a time: nothing more is offered while it waits.
        assert _offers_repair(client, published) == (False, False)


def test_a_positive_record_is_never_offered_repair_whatever_its_points(client, bureau, teacher):
    record = factories.make_record(teacher, "T-ETHICS-COMMENDATION", by=bureau)
    with _at(record.repairable_from + datetime.timedelta(days=1)):
        client.force_login(teacher.user)
        assert _offers_repair(client, record) == (False, False)


# --- the admin site goes through the services ------------------------------------------------


def _student_form(student, **changes) -> dict:
    data = {
        "name": student.name,
        "gender": student.gender,
        "student_number": student.student_number,
        "id_number": student.id_number,
        "birth_date": "",
        "school": student.school_id,
        "classroom": student.classroom_id or "",
        "guardian_consent": "",
        "guardians-TOTAL_FORMS": "0",
        "guardians-INITIAL_FORMS": "0",
        "enrolments-TOTAL_FORMS": "0",
        "enrolments-INITIAL_FORMS": "0",
        "_save": "1",
    }
    data.update(changes)
    return data


def _inline_prefixes(client, student) -> dict:
    """The management-form prefixes of the change page, as the browser would send them."""
    html = client.get(reverse("admin:students_student_change", args=[student.pk])).content
    html = html.decode()
    data = {}
    for prefix in ("guardian_set", "guardians", "enrolments", "enrolment_set"):
        if f'name="{prefix}-TOTAL_FORMS"' in html:
            data[f"{prefix}-TOTAL_FORMS"] = "0"
            data[f"{prefix}-INITIAL_FORMS"] = "0"
    return data


def test_a_new_school_in_the_admin_is_a_transfer(client, bureau, school, other_school, teacher):
    classroom = factories.make_classroom(school, head_teacher=teacher)
    student = factories.make_student(school, classroom)
    issue_parent_code(by=bureau, student=student)
    new_class = factories.make_classroom(other_school)
    client.force_login(bureau)
    data = _student_form(student, school=other_school.pk, classroom=new_class.pk)
    data.update(_inline_prefixes(client, student))
    url = reverse("admin:students_student_change", args=[student.pk])
    unconfirmed = client.post(url, data)
    assert unconfirmed.status_code == 200  # a transfer is confirmed, saying what it undoes
    assert "不能撤销" in unconfirmed.content.decode()
    student.refresh_from_db()
    assert student.school == school and not Enrolment.objects.filter(student=student).exists()
    response = client.post(url, {**data, "confirm_transfer": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]

    student.refresh_from_db()
    assert (student.school, student.classroom) == (other_school, new_class)
    events = list(Enrolment.objects.filter(student=student).values_list("event", "school_id"))
    assert (EnrolmentEvent.TRANSFERRED_OUT, school.pk) in events
    assert (EnrolmentEvent.TRANSFERRED_IN, other_school.pk) in events
    assert (EnrolmentEvent.PLACED, other_school.pk) in events
    assert not access.students_visible_to(teacher.user).filter(pk=student.pk).exists()
    assert not ParentCode.objects.filter(student=student, revoked_at__isnull=True).exists()


def test_a_new_class_in_the_admin_is_a_placement(client, bureau, school, teacher, other_teacher):
    old_class = factories.make_classroom(school, head_teacher=teacher)
    new_class = factories.make_classroom(school, head_teacher=other_teacher)
    student = factories.make_student(school, old_class)
    client.force_login(bureau)
    data = _student_form(student, classroom=new_class.pk)
    data.update(_inline_prefixes(client, student))
    response = client.post(reverse("admin:students_student_change", args=[student.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]

    assert Enrolment.objects.filter(
        student=student, event=EnrolmentEvent.PLACED, classroom=new_class
    ).exists()
    assert not access.students_visible_to(teacher.user).filter(pk=student.pk).exists()
    assert access.students_visible_to(other_teacher.user).filter(pk=student.pk).exists()


def test_a_graduated_students_school_cannot_be_changed_in_the_admin(
    client, bureau, school, other_school
):
    from students.services import graduate_student

    student = factories.make_student(school)
    graduate_student(by=bureau, student=student, on=datetime.date(2026, 6, 30))
    client.force_login(bureau)
    data = _student_form(student, school=other_school.pk)
    data.update(_inline_prefixes(client, student))
    response = client.post(reverse("admin:students_student_change", args=[student.pk]), data)
    assert response.status_code == 200
    assert "档案已冻结" in response.content.decode()
    student.refresh_from_db()
    assert student.school == school


def test_a_new_school_for_a_teacher_in_the_admin_opens_a_posting(
    client, bureau, school, other_school
):
    teacher = factories.make_teacher(school, with_user=False)
    Posting.objects.create(teacher=teacher, school=school, start_date=datetime.date(2020, 9, 1))
    client.force_login(bureau)
    url = reverse("admin:teachers_teacher_change", args=[teacher.pk])
    html = client.get(url).content.decode()
    data = {
        "name": teacher.name,
        "gender": teacher.gender,
        "id_number": teacher.id_number,
        "school": other_school.pk,
        "_save": "1",
    }
    for name in ("subject", "title", "post", "qualification_number", "phone", "email", "user"):
        if f'name="{name}"' in html:
            data[name] = getattr(teacher, f"{name}_id" if name == "user" else name) or ""
    for prefix in ("postings", "degrees"):
        data[f"{prefix}-TOTAL_FORMS"] = "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    postings = list(teacher.postings.order_by("start_date").values_list("school_id", "end_date"))
    assert postings[0][0] == school.pk and postings[0][1] is not None
    assert postings[-1] == (other_school.pk, None)


def test_a_draft_corrected_in_the_admin_names_who_corrected_it(client, bureau, principal, teacher):
    record = factories.make_record(teacher, "T-GIFTS", by=principal, status=RecordStatus.DRAFT)
    client.force_login(bureau)
    response = client.post(
        reverse("admin:evaluations_creditrecord_change", args=[record.pk]),
        {
            "item": record.item_id,
            "points": "",
            "occurred_on": record.occurred_on.isoformat(),
            "source": "routine",
            "narrative": "局机关补充的事实陈述",
            "evidence-TOTAL_FORMS": "0",
            "evidence-INITIAL_FORMS": "0",
            "_save": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    record = CreditRecord.objects.get(pk=record.pk)
    assert (record.recorded_by, record.edited_by) == (principal, bureau)
    assert record.narrative == "局机关补充的事实陈述"
