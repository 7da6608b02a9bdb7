"""Students' integrity files: pledges acknowledged once with a code, the parent's read-only view,
transfer inside the district with the whole history, graduation, and the access log."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from credit_registry import rules
from credit_registry.access import records_visible_to, students_visible_to
from credit_registry.models import AccessAction, AccessLog
from evaluations.assessment import eligibility as selectors
from evaluations.assessment import services as record_services
from evaluations.models import CreditRecord, Purpose
from schools.models import SchoolKind
from students import services
from students.models import EnrolmentEvent, ParentCode, PledgeSlip, StudentStatus
from tests import factories

YEAR = factories.YEAR


@pytest.fixture
def classroom(school, teacher):
    return factories.make_classroom(school, head_teacher=teacher)


@pytest.fixture
def student(school, classroom):
    return factories.make_student(school, classroom, name="李小明")


@pytest.fixture
def pledge(principal, classroom, student):
    factories.make_student(classroom.school, classroom, name="周小华")
    return services.issue_pledge(by=principal, classroom=classroom, kind="yearly", year=YEAR)


# --- pledges ----------------------------------------------------------------------------------


def test_a_pledge_gives_every_enrolled_student_a_slip_with_its_own_code(pledge):
    codes = list(pledge.slips.values_list("code", flat=True))
    assert len(codes) == 2 and len(set(codes)) == 2 and all(len(c) == 10 for c in codes)


def test_a_class_gets_one_yearly_pledge_and_one_per_exam(principal, classroom, pledge):
    with pytest.raises(ValidationError) as error:
        services.issue_pledge(by=principal, classroom=classroom, kind="yearly", year=YEAR)
    assert error.value.code == "duplicate"
    exam = services.issue_pledge(
        by=principal, classroom=classroom, kind="exam", year=YEAR, exam_name="期中考试"
    )
    assert exam.slips.count() == 2
    with pytest.raises(ValidationError):
        services.issue_pledge(by=principal, classroom=classroom, kind="exam", year=YEAR)


def test_only_the_school_issues_pledges_to_its_classes(teacher, other_school, classroom):
    other_principal = factories.make_principal(other_school, "principal_b")
    for user in (teacher.user, other_principal):
        with pytest.raises(PermissionDenied):
            services.issue_pledge(by=user, classroom=classroom, kind="yearly", year=YEAR)


def test_an_acknowledged_pledge_cannot_be_acknowledged_twice(pledge):
    slip = pledge.slips.first()
    services.acknowledge_pledge(code=slip.code.lower(), who="student")
    with pytest.raises(ValidationError) as error:
        services.acknowledge_pledge(code=slip.code, who="parent")
    assert error.value.code == "already_acknowledged"
    slip.refresh_from_db()
    assert slip.acknowledged_by == "student"


def test_a_parent_acknowledges_through_the_public_page(client, pledge):
    slip = pledge.slips.first()
    page = client.get(reverse("students:sign"), {"code": slip.code})
    assert page.status_code == 200 and "诚实做人" in page.content.decode()
    assert slip.student.name not in page.content.decode()  # masked: a code is not a login
    done = client.post(
        reverse("students:sign"), {"code": slip.code, "who": "parent", "confirm": "on"}
    )
    assert done.status_code == 200 and "承诺书已确认" in done.content.decode()
    again = client.post(
        reverse("students:sign"), {"code": slip.code, "who": "student", "confirm": "on"}
    )
    assert "已经确认过" in again.content.decode()
    assert PledgeSlip.objects.get(pk=slip.pk).acknowledged_by == "parent"


def test_a_wrong_code_is_refused_and_guessing_is_throttled(client, db):
    response = client.get(reverse("students:sign"), {"code": "ABCDEFGHJK"})
    assert response.status_code == 404 and "确认码无效" in response.content.decode()
    for _ in range(9):
        response = client.get(reverse("students:sign"), {"code": "ABCDEFGHJK"})
    assert response.status_code == 429  # this browser's tenth miss


def test_pledge_slips_print_for_the_school_and_the_class_teacher(
    client, principal, teacher, pledge
):
    for user in (principal, teacher.user):
        client.force_login(user)
        page = client.get(reverse("students:pledge", args=[pledge.pk]))
        assert page.status_code == 200 and pledge.slips.first().code in page.content.decode()


def test_principal_issues_pledges_to_several_classes_from_the_portal(client, principal, school):
    classes = [factories.make_classroom(school) for _ in range(2)]
    for c in classes:
        factories.make_student(school, c)
    client.force_login(principal)
    response = client.post(
        reverse("students:pledges"),
        {"kind": "exam", "exam_name": "期末考试", "classrooms": [c.pk for c in classes]},
    )
    assert response.status_code == 302
    assert PledgeSlip.objects.filter(pledge__exam_name="期末考试").count() == 2


# --- the file, the parent's view, the access log -----------------------------------------------


def test_the_file_shows_records_pledges_and_award_eligibility(client, principal, student, pledge):
    bureau = factories.make_user("bureau", role=factories.Role.BUREAU_ADMIN)
    factories.make_record(student, "ST-INTEGRITY-STAR", by=bureau)
    factories.make_record(student, "ST-COPYING-HOMEWORK", by=bureau)
    client.force_login(principal)
    body = client.get(reverse("students:file", args=[student.pk])).content.decode()
    assert "诚信之星" in body and "抄袭作业" in body and "诚信保证书" in body
    assert "评优评先" in body
    assert student.id_number not in body and student.masked_id_number in body
    log = AccessLog.objects.get()
    assert log.user == principal and log.action == AccessAction.VIEW_STUDENT_FILE
    assert log.subject_key == f"student:{student.pk}" and "李小明" not in log.subject_description


def test_student_award_eligibility_follows_the_ledger(student, school):
    from evaluations.assessment.scoring import recompute_year

    bureau = factories.make_user("bureau", role=factories.Role.BUREAU_ADMIN)
    star = factories.make_student(school, name="陈小星")
    record_services.ensure_year(year=YEAR)
    factories.make_record(star, "ST-INTEGRITY-STAR", by=bureau)
    factories.make_record(student, "ST-DISCIPLINE-PROBATION", by=bureau)  # −10
    for _ in range(7):
        factories.make_record(student, "ST-EXAM-CHEATING", by=bureau)  # −35: 55, grade D
    recompute_year(year=YEAR)
    awards, star_awards = selectors.check_eligibility_many([student, star], Purpose.AWARDS, YEAR)
    assert not awards.eligible and star_awards.eligible
    stars = selectors.check_eligibility_many([student, star], Purpose.INTEGRITY_STAR, YEAR)
    assert [e.eligible for e in stars] == [False, True]


def test_a_class_teacher_reaches_own_class_only(client, teacher, student, other_school):
    other = factories.make_student(other_school, factories.make_classroom(other_school))
    same_school_other_class = factories.make_student(
        student.school, factories.make_classroom(student.school)
    )
    client.force_login(teacher.user)
    assert client.get(reverse("students:file", args=[student.pk])).status_code == 200
    for pk in (other.pk, same_school_other_class.pk):
        assert client.get(reverse("students:file", args=[pk])).status_code == 404
    assert client.post(reverse("students:parent_code", args=[student.pk])).status_code == 403
    assert client.post(reverse("students:pledges"), {"kind": "yearly"}).status_code == 403


def test_a_parent_reads_the_childs_file_with_the_code_the_school_hands_out(
    client, principal, student
):
    client.force_login(principal)
    page = client.post(reverse("students:parent_code", args=[student.pk]))
    code = page.context["code"]
    client.logout()
    response = client.post(reverse("students:parent"), {"code": code.lower()})
    assert response.status_code == 302
    body = client.get(reverse("students:parent_file")).content.decode()
    assert "李小明的诚信档案" in body and "登记信用记录" not in body
    assert AccessLog.objects.filter(action=AccessAction.PARENT_VIEW, user=None).count() == 1
    # Another code for the same child revokes the first at once, even mid-session.
    client.force_login(principal)
    client.post(reverse("students:parent_code", args=[student.pk]))
    client.logout()
    assert client.get(reverse("students:parent_file"))["Location"] == reverse("students:parent")
    refused = client.post(reverse("students:parent"), {"code": code})
    assert "查询码无效或已失效" in refused.content.decode()


def test_a_class_teacher_issues_every_parent_code_of_the_class_on_one_printed_sheet(
    client, principal, teacher, classroom, student
):
    names = [f"学生{n:02d}" for n in range(1, 10)]
    for name in names:
        factories.make_student(classroom.school, classroom, name=name)
    left = factories.make_student(classroom.school, classroom, name="已毕业")
    services.graduate_student(by=principal, student=left, on=timezone.localdate())
    earlier = services.issue_parent_code(by=principal, student=student)
    url = reverse("students:class_parent_codes", args=[classroom.pk])

    client.force_login(teacher.user)
    assert url in client.get(reverse("students:my_class")).content.decode()
    confirm = client.get(url)
    assert confirm.status_code == 200 and confirm.context["count"] == 10
    assert not ParentCode.objects.filter(revoked_at__isnull=False).exists()  # GET issues nothing

    sheet = client.post(url)
    html = sheet.content.decode()
    assert sheet.status_code == 200 and "no-cache" in sheet["Cache-Control"]
    slips = [issued for page in sheet.context["pages"] for issued, _qr in page]
    assert [len(page) for page in sheet.context["pages"]] == [8, 2]
    assert [issued.student for issued in slips] == sorted(
        [student, *classroom.students.exclude(pk__in=[student.pk, left.pk])],
        key=lambda s: s.name,
    )
    assert html.count('class="slip parent-slip"') == 10 and html.count("<svg") == 10
    assert all(issued.display in html for issued in slips)
    assert student.masked_student_number not in html and student.student_number not in html
    assert "2026-09-12" in html  # valid for 180 days from 16 March
    # Only hashes are kept; each student's earlier code is revoked, and every new one works.
    assert not ParentCode.objects.filter(code_hash__in=[i.code for i in slips]).exists()
    assert services.student_for_parent_code(earlier) is None
    for issued in slips:
        assert services.student_for_parent_code(issued.code) == issued.student
    assert not ParentCode.objects.filter(student=left).exists()
    assert AccessLog.objects.filter(
        action=AccessAction.VIEW_STUDENT_LIST, detail__contains="家长查询码"
    ).exists()
    # The codes are never shown again: the page only offers to issue new ones.
    assert slips[0].display not in client.get(url).content.decode()


def test_class_parent_codes_are_the_class_teachers_and_the_schools(
    client, principal, teacher, other_teacher, classroom, student, other_school
):
    other_class = factories.make_classroom(classroom.school, head_teacher=other_teacher)
    with pytest.raises(PermissionDenied):
        services.issue_class_parent_codes(by=teacher.user, classroom=other_class)
    with pytest.raises(PermissionDenied):
        services.issue_class_parent_codes(
            by=factories.make_principal(other_school, "principal_b"), classroom=classroom
        )
    assert not ParentCode.objects.exists()
    issued = services.issue_class_parent_codes(by=principal, classroom=classroom)
    assert [i.student for i in issued] == [student]
    client.force_login(teacher.user)
    assert (
        client.post(reverse("students:class_parent_codes", args=[other_class.pk])).status_code
        == 404
    )
    client.force_login(principal)
    listing = client.get(reverse("schools:students"), {"classroom": classroom.pk})
    assert reverse("students:class_parent_codes", args=[classroom.pk]) in listing.content.decode()


def test_a_slips_qr_code_opens_the_parent_page_with_the_code_filled_in(client, db):
    page = client.get(reverse("students:parent"), {"code": "ABCD-EFGH-JKMN"})
    assert 'value="ABCD-EFGH-JKMN"' in page.content.decode()


def test_pledge_slips_print_twelve_to_a_page(client, principal, classroom, pledge):
    for n in range(12):
        factories.make_student(classroom.school, classroom, name=f"学生{n:02d}")
    exam = services.issue_pledge(
        by=principal, classroom=classroom, kind="exam", year=YEAR, exam_name="期中考试"
    )
    client.force_login(principal)
    page = client.get(reverse("students:pledge", args=[exam.pk]))
    assert [len(group) for group in page.context["pages"]] == [12, 2]
    assert page.content.decode().count('class="sheet-page"') == 2


def test_the_parent_view_needs_a_code(client, db):
    assert client.get(reverse("students:parent_file"))["Location"] == reverse("students:parent")


# --- transfer and graduation -----------------------------------------------------------------


def test_a_transferred_student_takes_every_record_to_the_new_school(
    client, principal, teacher, student, other_school
):
    bureau = factories.make_user("bureau", role=factories.Role.BUREAU_ADMIN)
    records = [
        factories.make_record(student, "ST-COPYING-HOMEWORK", by=bureau),
        factories.make_record(student, "ST-INTEGRITY-STAR", by=bureau),
    ]
    pending = factories.make_record(student, "ST-EXAM-CHEATING", by=teacher.user, status="draft")
    new_principal = factories.make_principal(other_school, "principal_b")
    client.force_login(principal)
    response = client.post(
        reverse("students:transfer", args=[student.pk]),
        {"destination": "district", "to_school": other_school.pk, "on": timezone.localdate()},
    )
    assert response.status_code == 302
    student.refresh_from_db()
    assert student.school == other_school and student.classroom is None
    assert student.status == StudentStatus.ENROLLED and student.file_frozen_at is None
    assert set(CreditRecord.objects.filter(student=student)) == {*records, pending}
    # The old school (and its class teacher) no longer see the student or the records …
    assert not students_visible_to(principal).filter(pk=student.pk).exists()
    assert not records_visible_to(principal).filter(student=student).exists()
    assert not records_visible_to(teacher.user).filter(student=student).exists()
    assert client.get(reverse("students:file", args=[student.pk])).status_code == 404
    # … the new school sees all of them, with the history of the move.
    assert records_visible_to(new_principal).filter(student=student).count() == 3
    client.force_login(new_principal)
    body = client.get(reverse("students:file", args=[student.pk])).content.decode()
    assert "抄袭作业" in body and "诚信之星" in body and "转入" in body
    events = list(student.enrolments.values_list("event", flat=True))
    assert events[-2:] == [EnrolmentEvent.TRANSFERRED_OUT, EnrolmentEvent.TRANSFERRED_IN]
    # The receiving school places the student in one of its classes.
    new_class = factories.make_classroom(other_school)
    client.post(reverse("students:place", args=[student.pk]), {"classroom": new_class.pk})
    student.refresh_from_db()
    assert student.classroom == new_class


def test_transfer_out_of_the_district_and_graduation_freeze_the_file(principal, school, student):
    services.graduate_student(by=principal, student=student, on=timezone.localdate())
    student.refresh_from_db()
    assert student.status == StudentStatus.GRADUATED and student.file_frozen_at
    with pytest.raises(ValidationError):
        factories.make_record(student, "ST-INTEGRITY-STAR")
    with pytest.raises(ValidationError):
        services.transfer_student(by=principal, student=student, on=timezone.localdate())
    other = factories.make_student(school, name="吴小刚")
    services.transfer_student(by=principal, student=other, on=timezone.localdate())
    other.refresh_from_db()
    assert other.status == StudentStatus.TRANSFERRED_OUT and other.file_frozen_at


def test_a_transfer_into_the_future_or_to_the_same_school_is_refused(principal, school, student):
    with pytest.raises(ValidationError):
        services.transfer_student(
            by=principal,
            student=student,
            on=timezone.localdate() + datetime.timedelta(days=1),
        )
    with pytest.raises(ValidationError):
        services.transfer_student(
            by=principal, student=student, on=timezone.localdate(), to_school=school
        )
    assert student.enrolments.count() == 0


@pytest.mark.parametrize(
    ("grade", "stage"),
    [
        ("七年级", "junior"),
        ("初二", "junior"),
        ("9年级", "junior"),
        ("三年级", "primary"),
        ("高一年级", "senior"),
        ("中职二年级", "vocational"),
        ("大班", "kindergarten"),
        ("实验班", None),
    ],
)
def test_a_grade_label_tells_its_stage(grade, stage):
    assert rules.stage_of_grade(grade) == stage


def test_a_seventh_grader_moves_only_to_schools_that_teach_junior_grades(
    client, principal, school, student
):
    kinds = [
        SchoolKind.KINDERGARTEN,
        SchoolKind.PRIMARY,
        SchoolKind.JUNIOR,
        SchoolKind.NINE_YEAR,
        SchoolKind.COMPLETE_SECONDARY,
        SchoolKind.SENIOR,
        SchoolKind.VOCATIONAL,
        SchoolKind.TRAINING,
    ]
    schools = {kind: factories.make_school(f"{kind}学校", kind=kind) for kind in kinds}
    fitting = {SchoolKind.JUNIOR, SchoolKind.NINE_YEAR, SchoolKind.COMPLETE_SECONDARY}
    assert rules.school_kinds_taking(student) == fitting
    # The form offers exactly those …
    client.force_login(principal)
    form = client.get(reverse("students:file", args=[student.pk])).context["transfer_form"]
    offered = set(form.fields["to_school"].queryset)
    assert offered == {schools[kind] for kind in fitting}
    # … and the service refuses the others, whoever asks.
    for kind in set(kinds) - fitting:
        with pytest.raises(ValidationError) as refused:
            services.transfer_student(
                by=principal, student=student, on=timezone.localdate(), to_school=schools[kind]
            )
        assert refused.value.code == "wrong_stage"
    assert student.enrolments.count() == 0
    # A grade entered at the new school (an import naming the new class) decides instead.
    assert rules.may_transfer_to(student, schools[SchoolKind.SENIOR], grade="高一年级")
    services.transfer_student(
        by=principal,
        student=student,
        on=timezone.localdate(),
        to_school=schools[SchoolKind.NINE_YEAR],
    )
    student.refresh_from_db()
    assert student.school == schools[SchoolKind.NINE_YEAR]


def test_a_student_in_no_class_goes_by_the_stages_of_the_current_school(principal, school):
    loose = factories.make_student(school, name="陈小红")
    assert rules.school_kinds_taking(loose) == rules.STAGE_KINDS["junior"]
    nine_year = factories.make_school("九年一贯制学校", kind=SchoolKind.NINE_YEAR)
    moved = factories.make_student(nine_year, name="林小青")
    assert SchoolKind.PRIMARY in rules.school_kinds_taking(moved)
