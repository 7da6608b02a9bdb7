"""The bureau's admin site: every page opens, lists do not grow in queries, roles are kept
apart, ID numbers stay masked, and ledger steps go through the services."""

import datetime

import pytest
from django.contrib import admin
from django.contrib.admin.sites import site
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from credit_registry.access import Role
from credit_registry.common.years import academic_year_of
from evaluations.assessment import services as assessment_services
from evaluations.assessment.scoring import recompute_year
from evaluations.clues import services as clue_services
from evaluations.disputes import services as dispute_services
from evaluations.models import (
    AccessCode,
    AssessmentPolicy,
    AssessmentYear,
    ClueStatus,
    CreditRecord,
    EvaluationRound,
    Evidence,
    LedgerEntry,
    ObjectionStatus,
    QuestionItem,
    Questionnaire,
    RaterAssignment,
    RecordStatus,
    RepairApplication,
    RepairStatus,
)
from schools.models import ChecklistKind, LeadingGroupMember, OperationChecklist
from students.models import Enrolment, Guardian
from teachers.models import Degree, Posting, VerificationStatus
from tests import factories

OUR_APPS = {"auth", "schools", "teachers", "students", "evaluations", "credit_registry"}


def _our_admins():
    return [
        (model, model_admin)
        for model, model_admin in site._registry.items()
        if model._meta.app_label in OUR_APPS
    ]


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _changelist(model):
    return _url(model, "changelist")


def populate(bureau, inspector) -> dict:
    """One of everything the admin lists, written the way the site writes it."""
    school = factories.make_school()
    LeadingGroupMember.objects.create(school=school, name="组长甲", role="leader")
    factories.make_principal(school)
    teacher = factories.make_teacher(school, "甲老师")
    Posting.objects.create(teacher=teacher, school=school, start_date=datetime.date(2020, 9, 1))
    Degree.objects.create(
        teacher=teacher,
        level="bachelor",
        institution="宁德师范学院",
        certificate_number=f"C{teacher.pk:08d}",
    )
    classroom = factories.make_classroom(school, teacher)
    student = factories.make_student(school, classroom)
    Guardian.objects.create(student=student, name="李父", relation="父亲")
    Enrolment.objects.create(
        student=student, school=school, classroom=classroom, event="entered", date=timezone.now()
    )
    record = factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    dispute_services.file_objection(record=record, by=teacher.user, reason="与事实不符")
    repaired = factories.make_record(teacher, "T-GIFTS", by=bureau)
    RepairApplication.objects.create(
        record=repaired,
        applicant=teacher.user,
        applied_at=timezone.now(),
        proof_kind="commitment",
        proof="已签署信用承诺书",
    )
    factories.make_record(student, "ST-COPYING-HOMEWORK", by=bureau)
    factories.make_record(school, "S-ARBITRARY-FEES", by=bureau, status=RecordStatus.SUBMITTED)
    Evidence.objects.create(
        record=record,
        file="evidence/x.pdf",
        original_name="证据.pdf",
        content_type="application/pdf",
        extension=".pdf",
        size=10,
        sha256="0" * 64,
        uploaded_by=bureau,
    )
    clue = clue_services.receive_clue(
        channel="staff", subject_description="甲老师", content="有偿补课", teacher=teacher
    )
    clue_services.assign_clue(clue=clue, inspector=inspector, by=bureau)
    clue_services.add_clue_note(clue=clue, by=inspector, text="走访家长")
    year = academic_year_of(timezone.localdate())
    assessment_services.ensure_year(year=year, by=bureau)
    recompute_year(year=year)
    questionnaire, _ = Questionnaire.objects.get_or_create(name="师德测评")
    QuestionItem.objects.get_or_create(questionnaire=questionnaire, order=1, title="爱岗敬业")
    evaluation_round, _ = EvaluationRound.objects.get_or_create(
        year_id=year,
        subject_kind="teacher",
        defaults={
            "name": "师德测评",
            "questionnaire": questionnaire,
            "closes_on": timezone.localdate(),
            "created_by": bureau,
        },
    )
    RaterAssignment.objects.create(
        round=evaluation_round, group="self", ratee=teacher, rater_teacher=teacher
    )
    AccessCode.objects.create(
        round=evaluation_round,
        group="student",
        school=school,
        classroom=classroom,
        code=f"C{teacher.pk:09d}"[:10],
        expires_at=timezone.now() + datetime.timedelta(days=7),
        created_by=bureau,
    )
    return {"school": school, "teacher": teacher, "student": student, "record": record}


@pytest.fixture
def district(bureau, inspector):
    return populate(bureau, inspector)


def _count(client, url) -> int:
    """Statements of the page rendered (not served from the page cache)."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


# --- every page opens -----------------------------------------------------------------------


def test_every_changelist_add_and_change_page_opens_for_the_bureau(client, bureau, district):
    client.force_login(bureau)
    assert client.get(reverse("admin:index")).status_code == 200
    for model, model_admin in _our_admins():
        response = client.get(_changelist(model))
        if getattr(model_admin, "technical", False):  # the services' own tables: superusers
            assert response.status_code == 403, model
            continue
        assert response.status_code == 200, model
        request = type("Request", (), {"user": bureau})()
        if model_admin.has_add_permission(request):
            assert client.get(_url(model, "add")).status_code == 200, model
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            assert client.get(_url(model, "change", obj.pk)).status_code == 200, model


def test_technical_tables_open_for_a_superuser_only(client, bureau, district):
    technical = [m for m, model_admin in _our_admins() if getattr(model_admin, "technical", 0)]
    assert {m._meta.model_name for m in technical} >= {"ledgerhead", "evidence", "notice"}
    client.force_login(bureau)
    index = client.get(reverse("admin:index")).content.decode()
    for model in technical:
        assert _changelist(model) not in index
    root = User.objects.create_superuser("root", password="x" * 12)
    client.force_login(root)
    index = client.get(reverse("admin:index")).content.decode()
    assert "技术数据" in index
    for model in technical:
        assert _changelist(model) in index
        assert client.get(_changelist(model)).status_code == 200, model


def test_the_inspectors_pages_open(client, bureau, inspector, district):
    client.force_login(inspector)
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    request = type("Request", (), {"user": inspector})()
    shown = [m for m, a in _our_admins() if a.has_module_permission(request)]
    assert {m._meta.model_name for m in shown} >= {"creditrecord", "complaintclue", "teacher"}
    for model in shown:
        assert client.get(_changelist(model)).status_code == 200, model
        if site._registry[model].has_add_permission(request):
            assert client.get(_url(model, "add")).status_code == 200, model
    teacher = district["teacher"]
    assert client.get(_url(type(teacher), "change", teacher.pk)).status_code == 200
    clue = teacher.clues.get()
    assert client.get(_url(type(clue), "change", clue.pk)).status_code == 200
    work = client.get(reverse("admin:evaluations_complaintclue_work", args=[clue.pk]))
    assert work.status_code == 200 and "走访家长" in work.content.decode()


def test_every_registered_model_of_ours_is_in_the_admin():
    from django.apps import apps

    unlisted = {"evaluations.Response", "evaluations.Answer"}  # anonymous answers: no page
    for app_label in ("schools", "teachers", "students", "evaluations"):
        for model in apps.get_app_config(app_label).get_models():
            if model.__name__.startswith("Historical"):
                continue  # read on the object's own history page
            if model._meta.label in unlisted:
                assert not site.is_registered(model), model
            else:
                assert site.is_registered(model), model


# --- lists do not grow in queries -------------------------------------------------------------


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

    add(3)
    client.get(url)  # warm caches (content types, sessions)
    small = _count(client, url)
    add(12)
    assert _count(client, url) == small


def test_no_changelist_grows_in_queries(client, bureau, inspector):
    populate(bureau, inspector)
    client.force_login(User.objects.create_superuser("root", password="x" * 12))
    urls = [_changelist(model) for model, _ in _our_admins()]
    for url in urls:
        client.get(url)
    before = {url: _count(client, url) for url in urls}
    populate(bureau, inspector)
    populate(bureau, inspector)
    after = {url: _count(client, url) for url in urls}
    assert after == before


# --- who gets in ----------------------------------------------------------------------------


def test_principals_teachers_and_users_without_a_role_are_kept_out(client, principal, teacher):
    nobody = factories.make_user(is_staff=True)
    for user in (principal, teacher.user, nobody):
        client.force_login(user)
        for url in (reverse("admin:index"), reverse("admin:evaluations_creditrecord_changelist")):
            response = client.get(url)
            assert response.status_code == 302, user
            assert response["Location"].startswith(reverse("admin:login")), user


def test_the_admin_login_asks_for_a_staff_role_not_the_staff_flag(client, bureau, principal):
    bureau.is_staff = False
    bureau.save()
    login = reverse("admin:login")
    response = client.post(login, {"username": "bureau", "password": "pw-Test-12345"})
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    client.logout()
    principal.is_staff = True
    principal.save()
    response = client.post(login, {"username": "principal", "password": "pw-Test-12345"})
    assert response.status_code == 200  # the form again
    assert client.get(reverse("admin:index")).status_code == 302


def test_an_inactive_bureau_admin_is_kept_out(client, bureau):
    client.force_login(bureau)
    bureau.is_active = False
    bureau.save()
    assert client.get(reverse("admin:index")).status_code == 302


def test_inspector_sees_only_the_subjects_of_own_clues(
    client, bureau, inspector, district, other_school
):
    stranger = factories.make_teacher(other_school, "外校")
    other = factories.make_record(stranger, "T-GIFTS", by=bureau)
    clue = clue_services.receive_clue(
        channel="staff", subject_description="外校", content="x", teacher=stranger
    )
    clue_services.assign_clue(clue=clue, inspector=inspector, by=bureau)
    someone_else = factories.make_user(role=Role.INSPECTOR)
    clue_services.assign_clue(
        clue=district["teacher"].clues.get(), inspector=someone_else, by=bureau
    )

    client.force_login(inspector)
    response = client.get(reverse("admin:evaluations_creditrecord_changelist"))
    assert {r.pk for r in response.context["cl"].result_list} == {other.pk}
    response = client.get(reverse("admin:teachers_teacher_changelist"))
    assert {t.pk for t in response.context["cl"].result_list} == {stranger.pk}
    response = client.get(reverse("admin:schools_school_changelist"))
    assert {s.pk for s in response.context["cl"].result_list} == {other_school.pk}
    response = client.get(reverse("admin:evaluations_complaintclue_changelist"))
    assert {c.pk for c in response.context["cl"].result_list} == {clue.pk}

    hidden = reverse("admin:evaluations_creditrecord_change", args=[district["record"].pk])
    assert client.get(hidden).status_code == 302  # "not found" in the admin: back to the index
    assert client.get(reverse("admin:students_student_changelist")).status_code == 403
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert client.get(reverse("admin:evaluations_objection_changelist")).status_code == 403


def test_inspector_may_propose_a_record_but_not_approve_it(client, bureau, inspector, district):
    stranger = district["teacher"]
    client.force_login(inspector)
    response = client.post(
        reverse("admin:evaluations_creditrecord_add"),
        {
            "teacher": stranger.pk,
            "item": factories.item("T-GIFTS").pk,
            "occurred_on": timezone.localdate().isoformat(),
            "source": "inspection",
            "narrative": "暗访发现收受礼金",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    record = CreditRecord.objects.get(recorded_by=inspector)
    assert record.status == RecordStatus.SUBMITTED
    assert record.points == factories.item("T-GIFTS").default_points
    url = reverse("admin:evaluations_creditrecord_changelist")
    client.post(url, {"action": "approve", "_selected_action": [record.pk]})
    record.refresh_from_db()
    assert record.status == RecordStatus.SUBMITTED


def test_inspector_cannot_propose_about_someone_outside_their_clues(client, inspector, school):
    outsider = factories.make_teacher(school, "无关")
    client.force_login(inspector)
    response = client.post(
        reverse("admin:evaluations_creditrecord_add"),
        {
            "teacher": outsider.pk,
            "item": factories.item("T-GIFTS").pk,
            "occurred_on": timezone.localdate().isoformat(),
            "source": "inspection",
            "narrative": "x",
        },
    )
    assert response.status_code == 200  # the form again, with the refusal
    assert not CreditRecord.objects.exists()


# --- ID numbers -----------------------------------------------------------------------------


def test_id_numbers_are_masked_in_lists_and_for_inspectors(client, bureau, inspector, district):
    teacher, student = district["teacher"], district["student"]
    client.force_login(bureau)
    listing = client.get(reverse("admin:teachers_teacher_changelist")).content.decode()
    assert teacher.id_number not in listing and teacher.masked_id_number in listing
    listing = client.get(reverse("admin:students_student_changelist")).content.decode()
    assert student.id_number not in listing and student.masked_id_number in listing
    page = client.get(reverse("admin:teachers_teacher_change", args=[teacher.pk]))
    assert teacher.id_number in page.content.decode()

    client.force_login(inspector)
    page = client.get(reverse("admin:teachers_teacher_change", args=[teacher.pk]))
    assert page.status_code == 200
    assert teacher.id_number not in page.content.decode()
    assert teacher.masked_id_number in page.content.decode()
    search = client.get(reverse("admin:teachers_teacher_changelist"), {"q": teacher.id_number})
    assert list(search.context["cl"].result_list) == []


def test_people_are_found_by_their_name_their_schools_name_or_both(client, bureau):
    east, west = factories.make_school("东湖小学"), factories.make_school("西山中学")
    wang_east = factories.make_student(east, name="王小红")
    wang_west = factories.make_student(west, name="王小红")
    li_east = factories.make_student(east, name="李明")
    teacher = factories.make_teacher(west, "赵老师")
    client.force_login(bureau)

    def found(model, q):
        response = client.get(reverse(f"admin:{model}_changelist"), {"q": q})
        assert response.status_code == 200
        return set(response.context["cl"].result_list)

    students = "students_student"
    assert found(students, "王小红") == {wang_east, wang_west}
    assert found(students, "东湖") == {wang_east, li_east}  # by the school's name
    assert found(students, "东湖 王小红") == {wang_east}  # every word must match
    assert found(students, '"东湖小学" 李') == {li_east}
    assert found(students, wang_west.student_number) == {wang_west}
    # Identifiers are typed the way people type them: lower case, full-width digits.
    full_width = wang_west.student_number.lower().translate({c: c + 0xFEE0 for c in range(48, 58)})
    assert found(students, full_width) == {wang_west}
    assert found(students, "北门") == set()
    latin = factories.make_student(west, name="Aygul")  # a name in Latin letters: any case
    assert found(students, "aygul") == found(students, "AYGUL") == {latin}
    assert found("teachers_teacher", "西山 赵") == {teacher}
    assert found("teachers_teacher", teacher.id_number) == {teacher}  # the bureau may


def test_records_are_found_by_subject_school_item_identifier_or_number(client, bureau, school):
    teacher = factories.make_teacher(school, "钱老师")
    student = factories.make_student(factories.make_school("北门小学"), name="周小宇")
    tutoring = factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    cheating = factories.make_record(student, "ST-EXAM-CHEATING", by=bureau)
    fees = factories.make_record(school, "S-ARBITRARY-FEES", by=bureau)
    client.force_login(bureau)

    def found(q):
        response = client.get(reverse("admin:evaluations_creditrecord_changelist"), {"q": q})
        assert response.status_code == 200
        return set(response.context["cl"].result_list)

    assert found("钱老师") == {tutoring}
    assert found("周小宇") == {cheating}
    # the school as the subject, and its teachers' records (the student is at another school)
    assert found("蕉城第一") == {fees, tutoring}
    assert found("有偿补课") == {tutoring}  # the catalog item
    assert found(student.student_number.lower()) == {cheating}
    assert found(teacher.id_number.lower()) == {tutoring}
    assert found(str(fees.pk)) >= {fees}
    assert found("钱老师 有偿补课") == {tutoring} and found("钱老师 乱收费") == set()


# --- the record workflow --------------------------------------------------------------------


def test_publish_action_appends_to_the_ledger(client, bureau, teacher):
    record = factories.make_record(teacher, "T-GIFTS", by=bureau, status=RecordStatus.SUBMITTED)
    client.force_login(bureau)
    url = reverse("admin:evaluations_creditrecord_changelist")
    confirm = {"_selected_action": [record.pk], "_confirm": "1"}
    client.post(url, {"action": "approve", **confirm})
    response = client.post(url, {"action": "publish", **confirm}, follow=True)
    record.refresh_from_db()
    assert record.status == RecordStatus.PUBLISHED
    assert LedgerEntry.objects.filter(record=record, action="publish").count() == 1
    said = [str(m) for m in response.context["messages"]]
    assert "已公布1条信用记录，已通知1位当事人" in said  # the teacher's own account


def test_bulk_steps_confirm_first_listing_each_record(client, bureau, teacher, school):
    records = [
        factories.make_record(teacher, "T-GIFTS", by=bureau, status=RecordStatus.APPROVED),
        factories.make_record(school, "S-ARBITRARY-FEES", by=bureau, status=RecordStatus.APPROVED),
    ]
    client.force_login(bureau)
    url = reverse("admin:evaluations_creditrecord_changelist")
    selected = {"_selected_action": [r.pk for r in records]}
    page = client.post(url, {"action": "publish", **selected})
    html = page.content.decode()
    assert page.status_code == 200
    assert "已选择2项" in html and "不可撤销" in html and "信用账本" in html
    for record in records:
        assert f"#{record.pk}" in html and record.item.name in html
    assert teacher.name in html and school.name in html
    assert not LedgerEntry.objects.exists()  # nothing happens before the confirmation
    assert all(r.status == RecordStatus.APPROVED for r in CreditRecord.objects.all())
    client.post(url, {"action": "publish", **selected, "_confirm": "1"})
    assert LedgerEntry.objects.filter(action="publish").count() == 2


def test_closing_a_year_confirms_and_says_it_cannot_be_undone(client, bureau):
    assessment_services.ensure_year(year=2025, by=bureau)
    client.force_login(bureau)
    url = reverse("admin:evaluations_assessmentyear_changelist")
    page = client.post(url, {"action": "close", "_selected_action": [2025]})
    assert "关闭不能撤销" in page.content.decode()
    assert not AssessmentYear.objects.get(year=2025).is_closed
    response = client.post(
        url, {"action": "close", "_selected_action": [2025], "_confirm": "1"}, follow=True
    )
    assert AssessmentYear.objects.get(year=2025).is_closed
    assert "已关闭2025—2026学年，考核结果已冻结" in [str(m) for m in response.context["messages"]]


def test_a_refused_step_is_shown_as_an_error(client, bureau, teacher):
    record = factories.make_record(teacher, "T-GIFTS", by=bureau, status=RecordStatus.SUBMITTED)
    client.force_login(bureau)
    url = reverse("admin:evaluations_creditrecord_changelist")
    response = client.post(
        url, {"action": "publish", "_selected_action": [record.pk], "_confirm": "1"}, follow=True
    )
    errors = [m for m in response.context["messages"] if m.level_tag == "error"]
    assert errors and f"#{record.pk}" in str(errors[0])
    record.refresh_from_db()
    assert record.status == RecordStatus.SUBMITTED
    assert not LedgerEntry.objects.exists()


def test_approve_and_publish_from_the_record_page(client, bureau, teacher):
    record = factories.make_record(teacher, "T-GIFTS", by=bureau, status=RecordStatus.SUBMITTED)
    client.force_login(bureau)
    url = reverse("admin:evaluations_creditrecord_change", args=[record.pk])
    for action in ("approve", "publish"):
        chosen = {"CHANGE_FORM-action": action, "index": "0", "_selected_action": [record.pk]}
        assert client.post(url, chosen).status_code == 200  # the confirmation
        response = client.post(url, {**chosen, "_confirm": "1"})
        assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == RecordStatus.PUBLISHED
    assert record.ledger.filter(action="publish").exists()


def test_return_action_asks_for_the_reason(client, bureau, teacher):
    record = factories.make_record(teacher, "T-GIFTS", by=bureau, status=RecordStatus.SUBMITTED)
    client.force_login(bureau)
    url = reverse("admin:evaluations_creditrecord_changelist")
    form = client.post(url, {"action": "return_selected", "_selected_action": [record.pk]})
    assert form.status_code == 200 and 'name="reason"' in form.content.decode()
    record.refresh_from_db()
    assert record.status == RecordStatus.SUBMITTED
    done = client.post(
        url,
        {
            "action": "return_selected",
            "_selected_action": [record.pk],
            "_confirm": "1",
            "reason": "事实陈述不完整",
        },
    )
    assert done.status_code == 302
    record.refresh_from_db()
    assert record.status == RecordStatus.RETURNED
    assert record.returned_reason == "事实陈述不完整"


def test_published_record_is_read_only_in_the_admin(client, bureau, teacher):
    record = factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    client.force_login(bureau)
    url = reverse("admin:evaluations_creditrecord_change", args=[record.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    for name in ("points", "narrative", "item", "teacher", "occurred_on", "points_reason"):
        assert f'name="{name}"' not in html
    assert "记录链" in html and record.ledger.get().hash[:16] in html
    assert page.context["adminform"].form.fields == {}
    response = client.post(url, {"points": "0", "narrative": "改", "_save": "1"})
    assert response.status_code == 403
    assert CreditRecord.objects.get(pk=record.pk).points == -10
    delete = reverse("admin:evaluations_creditrecord_delete", args=[record.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert CreditRecord.objects.filter(pk=record.pk).exists()


def test_the_chain_shows_objections_and_amendments(client, bureau, district):
    record = district["record"]
    dispute_services.decide_objection(
        objection=record.objections.get(),
        by=bureau,
        outcome=ObjectionStatus.AMENDED,
        reason="改为扣5分",
        points=-5,
    )
    client.force_login(bureau)
    html = client.get(reverse("admin:evaluations_creditrecord_change", args=[record.pk]))
    html = html.content.decode()
    amendment = record.amendments.get()
    assert "与事实不符" in html and "改为扣5分" in html
    assert reverse("admin:evaluations_creditrecord_change", args=[amendment.pk]) in html


def test_a_draft_can_be_corrected_and_deleted(client, bureau, teacher):
    record = factories.make_record(teacher, "T-GIFTS", by=bureau, status=RecordStatus.DRAFT)
    client.force_login(bureau)
    url = reverse("admin:evaluations_creditrecord_change", args=[record.pk])
    response = client.post(
        url,
        {
            "teacher": teacher.pk,
            "item": record.item_id,
            "points": "",
            "occurred_on": record.occurred_on.isoformat(),
            "source": "routine",
            "narrative": "更正后的事实陈述",
            "evidence-TOTAL_FORMS": "0",
            "evidence-INITIAL_FORMS": "0",
            "_save": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    record.refresh_from_db()
    assert record.narrative == "更正后的事实陈述"
    delete = reverse("admin:evaluations_creditrecord_delete", args=[record.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not CreditRecord.objects.filter(pk=record.pk).exists()


def test_two_subjects_are_refused_by_the_form(client, bureau, teacher, school):
    client.force_login(bureau)
    response = client.post(
        reverse("admin:evaluations_creditrecord_add"),
        {
            "teacher": teacher.pk,
            "school": school.pk,
            "item": factories.item("T-GIFTS").pk,
            "occurred_on": timezone.localdate().isoformat(),
            "source": "routine",
            "narrative": "x",
        },
    )
    assert response.status_code == 200
    assert not CreditRecord.objects.exists()


def test_adding_a_record_in_the_admin_lands_submitted(client, bureau, teacher):
    client.force_login(bureau)
    today = timezone.localdate()
    response = client.post(
        reverse("admin:evaluations_creditrecord_add"),
        {
            "teacher": teacher.pk,
            "item": factories.item("T-GIFTS").pk,
            "points": "-8",
            "points_reason": "情节较轻",
            "occurred_on": today.isoformat(),
            "source": "routine",
            "narrative": "收受礼金",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    record = CreditRecord.objects.get()
    assert record.status == RecordStatus.SUBMITTED and record.recorded_by == bureau
    assert record.year == academic_year_of(today) and record.recorded_at is not None


# --- objections, repair, clues ----------------------------------------------------------------


def test_objection_is_decided_through_the_admin_form(client, bureau, district):
    objection = district["record"].objections.get()
    client.force_login(bureau)
    listing = client.get(reverse("admin:evaluations_objection_changelist"), {"deadline": "open"})
    assert [o.pk for o in listing.context["cl"].result_list] == [objection.pk]
    response = client.post(
        reverse("admin:evaluations_objection_decide", args=[objection.pk]),
        {"outcome": "amended", "reason": "改为扣5分", "points": "-5"},
    )
    assert response.status_code == 302
    record = district["record"]
    record.refresh_from_db()
    assert record.status == RecordStatus.AMENDED and record.amendments.get().points == -5


def test_objection_upheld_by_action_with_a_reason(client, bureau, district):
    objection = district["record"].objections.get()
    client.force_login(bureau)
    client.post(
        reverse("admin:evaluations_objection_changelist"),
        {
            "action": "uphold",
            "_selected_action": [objection.pk],
            "_confirm": "1",
            "reason": "经复核属实",
        },
    )
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.UPHELD
    assert district["record"].ledger.filter(action="uphold").exists()


def test_overdue_objections_are_flagged(client, bureau, district):
    objection = district["record"].objections.get()
    type(objection).objects.filter(pk=objection.pk).update(
        due_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    client.force_login(bureau)
    listing = client.get(reverse("admin:evaluations_objection_changelist"), {"deadline": "overdue"})
    assert [o.pk for o in listing.context["cl"].result_list] == [objection.pk]
    listing = client.get(reverse("admin:evaluations_objection_changelist"), {"deadline": "in_time"})
    assert list(listing.context["cl"].result_list) == []


def test_repair_is_approved_by_action(client, bureau, district):
    application = RepairApplication.objects.get()
    client.force_login(bureau)
    client.post(
        reverse("admin:evaluations_repairapplication_changelist"),
        {
            "action": "approve_repair",
            "_selected_action": [application.pk],
            "_confirm": "1",
            "reason": "已整改",
        },
    )
    application.refresh_from_db()
    assert application.status == RepairStatus.APPROVED
    assert application.record.ledger.filter(action="repair").exists()


def test_clue_is_assigned_noted_and_closed(client, bureau, inspector, teacher):
    clue = clue_services.receive_clue(
        channel="hotline", subject_description="王老师", content="有偿补课", teacher=teacher
    )
    client.force_login(bureau)
    client.post(
        reverse("admin:evaluations_complaintclue_changelist"),
        {
            "action": "assign",
            "_selected_action": [clue.pk],
            "_confirm": "1",
            "inspector": inspector.pk,
        },
    )
    clue.refresh_from_db()
    assert clue.assigned_to == inspector and clue.status == ClueStatus.ASSIGNED

    client.force_login(inspector)
    work = reverse("admin:evaluations_complaintclue_work", args=[clue.pk])
    assert client.post(work, {"note": "1", "text": "走访三名家长"}).status_code == 302
    close = reverse("admin:evaluations_complaintclue_close", args=[clue.pk])
    response = client.post(
        close,
        {
            "substantiated": "1",
            "conclusion": "查实有偿补课",
            "item": factories.item("T-PAID-TUTORING").pk,
            "occurred_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    clue.refresh_from_db()
    assert clue.status == ClueStatus.SUBSTANTIATED
    assert clue.proposed_record.status == RecordStatus.SUBMITTED
    assert clue.notes.get().text == "走访三名家长"


# --- other pages ------------------------------------------------------------------------------


def test_ledger_entries_cannot_be_added_changed_or_deleted(client, bureau, district):
    entry = LedgerEntry.objects.first()
    client.force_login(bureau)
    assert client.get(reverse("admin:evaluations_ledgerentry_add")).status_code == 403
    change = reverse("admin:evaluations_ledgerentry_change", args=[entry.pk])
    assert client.post(change, {"reason": "x"}).status_code == 403
    delete = reverse("admin:evaluations_ledgerentry_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403


def test_policy_versions_are_added_never_changed(client, bureau, district):
    policy = AssessmentPolicy.objects.get()
    client.force_login(bureau)
    page = client.get(reverse("admin:evaluations_assessmentpolicy_change", args=[policy.pk]))
    assert page.context["adminform"].form.fields == {}
    data = {
        "year": policy.year_id,
        "base_score": "100",
        "positive_cap": "8",
        "activity_cap": "5",
        "activity_points": "1",
        "evaluation_weight": "0.6",
        "record_weight": "0.4",
        "school_evaluation_weight": "0.3",
        "student_evaluation_weight": "0.3",
        "grade_a": "90",
        "grade_b": "75",
        "grade_c": "60",
        "veto_forces_d": "on",
        "grade_a_needs_clean_year": "on",
        "institution_listing_years": "1",
        "min_group_answers": "5",
        "target_assessment_points": "10",
        "note": "加分上限调整为8分",
    }
    response = client.post(reverse("admin:evaluations_assessmentpolicy_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    newest = AssessmentPolicy.objects.order_by("-version").first()
    assert newest.version == 2 and newest.positive_cap == 8 and newest.created_by == bureau
    assert newest.rules.count() == policy.rules.count()
    policy.refresh_from_db()
    assert policy.positive_cap == 10


def test_assessment_result_page_explains_the_score(client, bureau, district):
    result = district["teacher"].assessment_results.get()
    client.force_login(bureau)
    page = client.get(reverse("admin:evaluations_assessmentresult_change", args=[result.pk]))
    html = page.content.decode()
    assert "基础分" in html and "有偿补课" in html


def test_inlines_show_for_a_bureau_admin_without_model_permissions(client, bureau, district):
    assert not bureau.is_superuser
    client.force_login(bureau)
    school_page = client.get(reverse("admin:schools_school_change", args=[district["school"].pk]))
    assert "组长甲" in school_page.content.decode()
    teacher = district["teacher"]
    teacher_page = client.get(reverse("admin:teachers_teacher_change", args=[teacher.pk]))
    assert "宁德师范学院" in teacher_page.content.decode()
    student = district["student"]
    student_page = client.get(reverse("admin:students_student_change", args=[student.pk]))
    assert "李父" in student_page.content.decode()


def test_degrees_are_verified_by_action_not_by_editing(client, bureau, district):
    degree = Degree.objects.get(teacher=district["teacher"])
    client.force_login(bureau)
    page = client.get(reverse("admin:teachers_degree_change", args=[degree.pk])).content.decode()
    assert 'name="verification_status"' not in page
    client.post(
        reverse("admin:teachers_degree_changelist"),
        {"action": "mark_degrees_verified", "_selected_action": [degree.pk]},
    )
    degree.refresh_from_db()
    assert degree.verification_status == VerificationStatus.VERIFIED
    assert degree.verified_by == bureau and degree.verified_at is not None


def test_user_list_shows_the_role(client, bureau, principal):
    client.force_login(bureau)
    html = client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert "局机关管理员" in html and "学校管理员（校长）" in html
    filtered = client.get(reverse("admin:auth_user_changelist"), {"role": "principal"})
    assert [u.pk for u in filtered.context["cl"].result_list] == [principal.pk]


def test_admin_site_is_the_one_in_the_urls():
    assert admin.site is site


def test_lists_name_academic_years_as_people_read_them(client, bureau, school):
    year = academic_year_of(timezone.localdate())
    OperationChecklist.objects.create(
        school=school, year=year, kind=ChecklistKind.SELF_ASSESSMENT, filed_by=bureau
    )
    client.force_login(bureau)
    html = client.get(reverse("admin:schools_operationchecklist_changelist")).content.decode()
    label = f"{year}—{year + 1}学年"
    assert html.count(label) >= 2  # the column and the filter
    assert f"?year={year}" in html
