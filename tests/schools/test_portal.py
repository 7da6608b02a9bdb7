"""The principal's portal: one school's pages, proposing records, activities that count with the
policy's cap, the lawful-operation checklist and the school's target-assessment figure."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from evaluations.assessment import services as assessment_services
from evaluations.assessment import standing as selectors
from evaluations.assessment.scoring import recompute_year
from evaluations.models import (
    ACTIVITY_ITEM_CODE,
    AssessmentResult,
    CatalogItem,
    CreditRecord,
    RecordSource,
    RecordStatus,
)
from evaluations.records import services as record_services
from evaluations.schoolwork import services
from schools.models import (
    ChecklistArea,
    ChecklistKind,
    IntegrityActivity,
    OperationChecklist,
    Ownership,
    SchoolKind,
)
from tests import factories

YEAR = factories.YEAR


def png(name="photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def log_activity(school, by, title="诚信主题班会", **extra):
    values = {
        "kind": "class_meeting",
        "title": title,
        "held_on": timezone.localdate(),
        "participants": "七年级1班",
        "participant_count": 45,
        "description": "讨论诚信故事。",
    }
    values.update(extra)
    return services.record_activity(by=by, school=school, **values)


@pytest.fixture
def world(school, other_school, principal, teacher):
    """Two schools, each with a teacher, a class and a student, and records about all."""
    bureau = factories.make_user("bureau", role=factories.Role.BUREAU_ADMIN)
    other_principal = factories.make_principal(other_school, "principal_b")
    other_teacher = factories.make_teacher(other_school, "钱老师")
    classroom = factories.make_classroom(school, head_teacher=teacher)
    other_classroom = factories.make_classroom(other_school, head_teacher=other_teacher)
    student = factories.make_student(school, classroom, name="李小明")
    other_student = factories.make_student(other_school, other_classroom, name="孙小红")
    other_record = factories.make_record(other_teacher, "T-PAID-TUTORING", by=bureau)
    other_activity = log_activity(other_school, other_principal, photos=[png()])
    return {
        "bureau": bureau,
        "other_principal": other_principal,
        "other_teacher": other_teacher,
        "classroom": classroom,
        "student": student,
        "other_student": other_student,
        "other_classroom": other_classroom,
        "other_record": other_record,
        "other_activity": other_activity,
    }


def test_principal_lands_on_a_dashboard_of_their_school(client, principal, school, world):
    factories.make_record(school, "S-ARBITRARY-FEES", by=world["bureau"])
    assessment_services.ensure_year(year=YEAR)
    recompute_year(year=YEAR)
    client.force_login(principal)
    response = client.get(reverse("portal"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("schools:dashboard")
    body = response.content.decode()
    assert school.name in body and "90.00" in body  # 100 − 10 for 乱收费
    assert "目标考核诚信分" in body and "9.00 / 10.00" in body


def test_every_object_of_another_school_is_out_of_reach(client, principal, world):
    client.force_login(principal)
    activity = world["other_activity"]
    photo = activity.photos.get()
    not_found = [
        reverse("teachers:file", args=[world["other_teacher"].pk]),
        reverse("students:file", args=[world["other_student"].pk]),
        reverse("record_detail", args=[world["other_record"].pk]),
        reverse("schools:activity", args=[activity.pk]),
        reverse("schools:activity_photo", args=[activity.pk, photo.pk]),
        f"{reverse('schools:propose_record')}?teacher={world['other_teacher'].pk}",
        f"{reverse('schools:propose_record')}?student={world['other_student'].pk}",
    ]
    for url in not_found:
        assert client.get(url).status_code == 404, url
    posts = [
        reverse("students:transfer", args=[world["other_student"].pk]),
        reverse("students:parent_code", args=[world["other_student"].pk]),
        reverse("students:place", args=[world["other_student"].pk]),
    ]
    for url in posts:
        assert client.post(url, {"destination": "away", "on": "2026-01-01"}).status_code == 404
    pledge = _issue(world["other_principal"], world["other_classroom"])
    assert client.get(reverse("students:pledge", args=[pledge.pk])).status_code == 404
    # Lists and counts are the school's own, whatever the query string says.
    page = client.get(reverse("schools:students"), {"q": "孙小红"}).content.decode()
    assert "没有符合条件的学生" in page and world["other_student"].student_number not in page
    page = client.get(reverse("schools:teachers"), {"q": "钱"}).content.decode()
    assert "没有符合条件的教师" in page
    assert world["other_student"].pk not in {
        s.pk for s in selectors.student_list(principal, year=YEAR)
    }


def test_other_roles_cannot_use_the_principals_pages(client, teacher, world):
    client.force_login(teacher.user)
    for name in ("dashboard", "teachers", "students", "activities", "checklist", "standing"):
        assert client.get(reverse(f"schools:{name}")).status_code == 403, name
    client.force_login(world["bureau"])
    assert client.get(reverse("schools:dashboard")).status_code == 403


def test_principal_proposes_a_record_the_bureau_then_publishes(client, principal, teacher, world):
    client.force_login(principal)
    url = f"{reverse('schools:propose_record')}?teacher={teacher.pk}"
    form = client.get(url)
    assert form.status_code == 200 and "有偿补课" in form.content.decode()
    item = factories.item("T-PAID-TUTORING")
    day = timezone.localdate() - datetime.timedelta(days=2)
    response = client.post(
        url,
        {
            "item": item.pk,
            "occurred_on": day.isoformat(),
            "description": "周末在家中收费辅导本班学生。",
            "evidence": SimpleUploadedFile("proof.pdf", b"%PDF-1.4 proof", "application/pdf"),
        },
    )
    record = CreditRecord.objects.get(teacher=teacher)
    assert response.status_code == 302 and response["Location"] == reverse(
        "record_detail", args=[record.pk]
    )
    assert record.status == RecordStatus.SUBMITTED and record.recorded_by == principal
    assert record.evidence.count() == 1
    dashboard = client.get(reverse("schools:dashboard")).content.decode()
    assert "已提交</a> 1" in dashboard
    record_services.approve_record(record=record, by=world["bureau"])
    record_services.publish_record(record=record, by=world["bureau"])
    assert CreditRecord.objects.get(pk=record.pk).status == RecordStatus.PUBLISHED


def test_the_propose_form_preselects_nothing_and_says_what_each_item_weighs(
    client, principal, teacher
):
    client.force_login(principal)
    page = client.get(f"{reverse('schools:propose_record')}?teacher={teacher.pk}")
    html = page.content.decode()
    form = page.context["form"]
    assert form["item"].value() is None
    assert '<option value="" selected>请选择信用事项</option>' in html
    assert "有偿补课（-10分，较重）" in html
    assert "体罚或变相体罚学生（-15分，严重，一票否决）" in html
    # The browser's date picker takes ISO dates only.
    assert f'type="date" name="occurred_on" value="{timezone.localdate().isoformat()}"' in html


def test_a_future_date_is_refused_with_a_clear_message_and_nothing_written(
    client, principal, teacher
):
    client.force_login(principal)
    response = client.post(
        f"{reverse('schools:propose_record')}?teacher={teacher.pk}",
        {
            "item": factories.item("T-PAID-TUTORING").pk,
            "occurred_on": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
            "description": "x",
        },
    )
    assert response.status_code == 200
    assert "发生日期不能晚于今天" in response.content.decode()
    assert not CreditRecord.objects.exists()


def test_a_bad_evidence_file_leaves_no_record_behind(client, principal, teacher):
    client.force_login(principal)
    response = client.post(
        f"{reverse('schools:propose_record')}?teacher={teacher.pk}",
        {
            "item": factories.item("T-PAID-TUTORING").pk,
            "occurred_on": timezone.localdate().isoformat(),
            "description": "有证据",
            "evidence": SimpleUploadedFile("x.exe", b"MZ\x90\x00", "application/octet-stream"),
        },
    )
    assert "只接受PDF、PNG或JPEG文件" in response.content.decode()
    assert not CreditRecord.objects.exists()


def test_class_teacher_records_conduct_of_own_class_only(client, teacher, world):
    client.force_login(teacher.user)
    own = f"{reverse('schools:propose_record')}?student={world['student'].pk}"
    assert client.get(own).status_code == 200
    response = client.post(
        own,
        {
            "item": factories.item("ST-EXAM-CHEATING").pk,
            "occurred_on": timezone.localdate().isoformat(),
            "description": "期中考试携带纸条。",
        },
    )
    assert response.status_code == 302
    assert CreditRecord.objects.get(student=world["student"]).recorded_by == teacher.user
    other = f"{reverse('schools:propose_record')}?student={world['other_student'].pk}"
    assert client.get(other).status_code == 404
    colleague = f"{reverse('schools:propose_record')}?teacher={teacher.pk}"
    assert client.get(colleague).status_code == 403  # not even about themself
    # In the class list, and among the records the class teacher proposed (not yet published).
    assert client.get(reverse("students:my_class")).content.decode().count("李小明") == 2


# --- activities ---------------------------------------------------------------------------------


def test_activities_count_toward_the_school_score_up_to_the_policys_cap(principal, school):
    assessment_services.ensure_year(year=YEAR)
    for n in range(7):
        log_activity(school, principal, title=f"活动{n}")
    recompute_year(year=YEAR)
    result = AssessmentResult.objects.get(year_id=YEAR, school=school)
    # Default policy: 1 point each, at most 5.
    assert result.record_score == Decimal("105.00")
    labels = [line["label"] for line in result.explanation["lines"]]
    assert "诚信教育活动7次×1.00分（上限5.00分）" in labels


def test_an_activity_counts_once_not_again_as_a_catalog_record(principal, school, bureau):
    """诚信教育活动 count from the school's log of activities (capped by the policy); a record of
    the retired catalog item of the same name stays in the file but adds nothing."""
    assessment_services.ensure_year(year=YEAR)
    retired = CatalogItem.objects.filter(code=ACTIVITY_ITEM_CODE)
    assert not retired.get().active  # retired by evaluations 0014
    retired.update(active=True)  # a record proposed before the item was retired
    factories.make_record(school, ACTIVITY_ITEM_CODE, by=bureau)
    retired.update(active=False)
    log_activity(school, principal)
    recompute_year(year=YEAR)
    result = AssessmentResult.objects.get(year_id=YEAR, school=school)
    assert result.record_score == Decimal("101.00")
    labels = [line["label"] for line in result.explanation["lines"]]
    assert "诚信教育活动1次×1.00分" in labels and "诚信教育活动" not in labels
    with pytest.raises(ValidationError):
        factories.make_record(school, ACTIVITY_ITEM_CODE, by=bureau)


def test_an_excluded_activity_stops_counting(principal, school, bureau):
    assessment_services.ensure_year(year=YEAR)
    activity = log_activity(school, principal)
    log_activity(school, principal, title="第二次")
    services.exclude_activity(activity=activity, by=bureau, reason="照片与活动不符")
    recompute_year(year=YEAR)
    assert AssessmentResult.objects.get(year_id=YEAR, school=school).record_score == Decimal(
        "101.00"
    )
    with pytest.raises(PermissionDenied):
        services.exclude_activity(activity=activity, by=principal, reason="x")


def test_activity_with_photos_through_the_portal(client, principal, school):
    client.force_login(principal)
    response = client.post(
        reverse("schools:activity_new"),
        {
            "kind": "lecture",
            "title": "诚信讲座",
            "held_on": timezone.localdate().isoformat(),
            "participants": "全体学生",
            "participant_count": 600,
            "description": "法治副校长主讲。",
            "photos": [png("a.png"), png("b.png")],
        },
    )
    activity = IntegrityActivity.objects.get()
    assert response.status_code == 302 and activity.photos.count() == 2
    photo = activity.photos.first()
    shown = client.get(reverse("schools:activity_photo", args=[activity.pk, photo.pk]))
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"


def test_a_fake_photo_rejects_the_whole_activity(client, principal):
    client.force_login(principal)
    response = client.post(
        reverse("schools:activity_new"),
        {
            "kind": "lecture",
            "title": "诚信讲座",
            "held_on": timezone.localdate().isoformat(),
            "participants": "全体学生",
            "participant_count": 600,
            "description": "法治副校长主讲。",
            "photos": [png("a.png"), SimpleUploadedFile("b.png", b"\x89PNG\r\n\x1a\nnot")],
        },
    )
    assert response.status_code == 200
    assert "不是有效的PNG或JPEG图片" in response.content.decode()
    assert not IntegrityActivity.objects.exists()


# --- lawful-operation checklist -----------------------------------------------------------------


def _answers(failed: dict[str, str]) -> dict[str, str]:
    data = {}
    for area in ChecklistArea:
        data[f"{area.value}_passed"] = "no" if area.value in failed else "yes"
        data[f"{area.value}_finding"] = failed.get(area.value, "")
    return data


def test_failed_self_assessment_areas_become_proposed_records(client, principal, school):
    client.force_login(principal)
    response = client.post(reverse("schools:checklist"), _answers({"fees": "代收校服费未公示。"}))
    assert response.status_code == 302
    checklist = OperationChecklist.objects.get(school=school, kind=ChecklistKind.SELF_ASSESSMENT)
    assert checklist.entries.count() == 6 and checklist.failed == 1
    record = CreditRecord.objects.get(school=school)
    assert record.item.code == "S-ARBITRARY-FEES" and record.status == RecordStatus.SUBMITTED
    assert record.source == RecordSource.SELF_REPORT and "代收校服费未公示" in record.narrative
    # Filed once: a second post changes nothing.
    client.post(reverse("schools:checklist"), _answers({}))
    assert OperationChecklist.objects.count() == 1 and CreditRecord.objects.count() == 1


def test_a_failed_area_without_a_finding_is_refused(client, principal):
    client.force_login(principal)
    response = client.post(reverse("schools:checklist"), _answers({"fees": ""}))
    assert response.status_code == 200 and "不符合的项目须写明情况" in response.content.decode()
    assert not OperationChecklist.objects.exists()


def test_only_the_bureau_files_inspections(principal, bureau, school):
    results = {area.value: (True, "") for area in ChecklistArea}
    with pytest.raises(PermissionDenied):
        services.file_checklist(
            by=principal, school=school, year=YEAR, kind=ChecklistKind.INSPECTION, results=results
        )
    results["advertising"] = (False, "招生简章夸大升学率。")
    services.file_checklist(
        by=bureau, school=school, year=YEAR, kind=ChecklistKind.INSPECTION, results=results
    )
    record = CreditRecord.objects.get(school=school)
    assert record.source == RecordSource.INSPECTION and record.item.code == "S-FALSE-ADVERTISING"
    with pytest.raises(ValidationError):
        services.file_checklist(
            by=bureau, school=school, year=YEAR, kind=ChecklistKind.INSPECTION, results=results
        )


def test_bureau_records_an_inspection_in_the_admin_site(client, bureau, school):
    client.force_login(bureau)
    data = _answers({"openness": "未按期公开收费项目。"}) | {"school": school.pk}
    response = client.post(reverse("admin:schools_operationchecklist_inspect"), data)
    assert response.status_code == 302
    assert CreditRecord.objects.get(school=school).item.code == "S-DISCLOSURE"
    overview = client.get(reverse("admin:schools_operationchecklist_standings"))
    assert overview.status_code == 200 and school.name in overview.content.decode()


# --- target assessment and annual inspection ----------------------------------------------------


def test_target_assessment_figure_follows_the_policy(bureau, school):
    assessment_services.ensure_year(year=YEAR)
    factories.make_record(school, "S-ARBITRARY-FEES", by=bureau)  # −10
    recompute_year(year=YEAR)
    standing = selectors.school_standing(school, YEAR)
    assert standing.target_assessed and standing.points == Decimal("9.00")
    assert standing.max_points == Decimal("10.00")
    # A new policy version worth 20 points in the target assessment doubles the figure.
    assessment_services.create_policy_version(
        year=YEAR, by=bureau, note="目标考核诚信分值调整为20分", target_assessment_points=20
    )
    recompute_year(year=YEAR)
    assert selectors.school_standing(school, YEAR).points == Decimal("18.00")


def test_a_veto_leaves_nothing_of_the_target_assessment_component(bureau, school):
    assessment_services.ensure_year(year=YEAR)
    factories.make_record(school, "S-ILLEGAL-OPERATION", by=bureau)
    recompute_year(year=YEAR)
    standing = selectors.school_standing(school, YEAR)
    assert standing.points == Decimal("0.00") and any("否决" in r for r in standing.reasons)


def test_private_school_with_grade_d_gets_the_inspection_suggestion(bureau):
    private = factories.make_school(
        "星光培训学校", kind=SchoolKind.TRAINING, ownership=Ownership.PRIVATE
    )
    assessment_services.ensure_year(year=YEAR)
    for _ in range(5):
        factories.make_record(private, "S-ARBITRARY-FEES", by=bureau)
    recompute_year(year=YEAR)
    standing = selectors.school_standing(private, YEAR)
    assert not standing.target_assessed and standing.points is None
    assert "基本合格" in standing.suggestion and "限期整改" in standing.suggestion


def _issue(principal, classroom):
    from students.services import issue_pledge

    return issue_pledge(by=principal, classroom=classroom, kind="yearly", year=YEAR)


def test_eligibility_for_a_whole_class_and_for_the_teachers(client, principal, school, teacher):
    bureau = factories.make_user("bureau", role=factories.Role.BUREAU_ADMIN)
    classroom = factories.make_classroom(school, head_teacher=teacher)
    star = factories.make_student(school, classroom, name="陈小星")
    plain = factories.make_student(school, classroom, name="周小华")
    assessment_services.ensure_year(year=YEAR)
    factories.make_record(star, "ST-INTEGRITY-STAR", by=bureau)
    factories.make_record(plain, "ST-DISCIPLINE-PROBATION", by=bureau)
    factories.make_record(plain, "ST-EXAM-CHEATING", by=bureau)  # 85: grade B, no star
    factories.make_record(teacher, "T-CORPORAL-PUNISHMENT", by=bureau)
    recompute_year(year=YEAR)
    client.force_login(principal)
    page = client.get(
        reverse("schools:eligibility"),
        {"purpose": "student:integrity_star", "classroom": classroom.pk},
    )
    answers = {e.subject: e.eligible for e in page.context["answers"]}
    assert answers == {star: True, plain: False}
    page = client.get(reverse("schools:eligibility"), {"purpose": "title_promotion"})
    (answer,) = page.context["answers"]
    assert answer.subject == teacher and not answer.eligible  # a veto record
    assert "体罚" in page.content.decode()
