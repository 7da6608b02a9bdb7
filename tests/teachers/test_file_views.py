"""The teacher's own ethics-integrity file, evaluation tasks, and the school's evaluation page:
scoping (an edited id gives 404/403), aggregates only, and a fixed number of queries."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluations.assessment import services as assessment_services
from evaluations.assessment.scoring import recompute_year
from evaluations.assessment.services import ensure_year
from evaluations.models import AccessCode, RaterAssignment, RaterGroup, Response
from evaluations.rounds import selectors, services
from teachers.models import Degree, DegreeLevel, VerificationStatus
from tests import factories


@pytest.fixture(autouse=True)
def _fresh_cache(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def evaluation_round(bureau, teacher, other_teacher):
    evaluation_round = factories.make_round(by=bureau)
    services.assign_raters(evaluation_round=evaluation_round, by=bureau)
    return evaluation_round


def test_a_teacher_reaches_only_their_own_file(client, bureau, teacher, other_teacher):
    stranger = factories.make_teacher(factories.make_school(), "钱老师")
    client.force_login(teacher.user)
    own = client.get(reverse("teachers:my_file"))
    assert own.status_code == 200
    body = own.content.decode()
    assert "我的师德诚信档案" in body and teacher.masked_id_number in body
    assert teacher.id_number not in body
    assert client.get(reverse("teachers:file", args=[teacher.pk])).status_code == 200
    for other in (other_teacher, stranger):
        assert client.get(reverse("teachers:file", args=[other.pk])).status_code == 404
    assert client.get(reverse("teachers:file", args=[999999])).status_code == 404


def test_other_roles_on_the_file_pages(client, bureau, principal, teacher):
    stranger = factories.make_teacher(factories.make_school(), "钱老师")
    client.force_login(principal)
    assert client.get(reverse("teachers:file", args=[teacher.pk])).status_code == 200
    assert client.get(reverse("teachers:file", args=[stranger.pk])).status_code == 404
    assert client.get(reverse("teachers:my_file")).status_code == 403
    assert client.get(reverse("teachers:evaluations")).status_code == 403
    client.force_login(bureau)
    assert client.get(reverse("teachers:file", args=[stranger.pk])).status_code == 200
    client.logout()
    assert client.get(reverse("teachers:my_file")).status_code == 302  # to the login page


def test_the_file_shows_degrees_results_records_and_consequences(client, bureau, teacher):
    Degree.objects.create(
        teacher=teacher,
        level=DegreeLevel.MASTER,
        institution="福建师范大学",
        certificate_number="1039412020000777",
        verification_status=VerificationStatus.DOUBTFUL,
        verification_note="学信网信息不一致",
    )
    record = factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    ensure_year(year=record.year)
    recompute_year(year=record.year)
    client.force_login(teacher.user)
    body = client.get(reverse("teachers:my_file")).content.decode()
    # The certificate number is masked like every identifier outside the bureau's admin.
    assert "1039412020000777" not in body and "1039********0777" in body
    assert "存疑" in body and "学信网信息不一致" in body
    assert reverse("record_detail", args=[record.pk]) in body
    assert "有偿补课" in body and record.ledger.get().hash[:16] in body
    assert "计分说明" in body and "基础分" in body
    assert "职称评聘" in body  # the consequences in force, purpose by purpose
    assert "提出异议" in body  # within the 15 days: the way to the objection form


def test_the_file_page_takes_a_fixed_number_of_queries(client, bureau, teacher):
    client.force_login(teacher.user)
    factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    client.get(reverse("teachers:my_file"))  # the CSRF cookie a browser holds
    cache.clear()  # rendered, not served from the page cache
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("teachers:my_file"))
    for code in ("T-GIFTS", "T-ETHICS-COMMENDATION", "T-PAID-TUTORING"):
        factories.make_record(teacher, code, by=bureau)
    Degree.objects.create(
        teacher=teacher, level=DegreeLevel.BACHELOR, institution="宁德师院", certificate_number="9"
    )
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("teachers:my_file"))
    assert len(many) == len(few)


def test_evaluation_results_are_aggregates_over_the_threshold_only(
    client, bureau, teacher, evaluation_round
):
    factories.answer_with_codes(
        evaluation_round, group=RaterGroup.STUDENT, teacher=teacher, scores=[5] * 5, by=bureau
    )
    factories.answer_with_codes(
        evaluation_round, group=RaterGroup.PARENT, teacher=teacher, scores=[2, 2], by=bureau
    )
    client.force_login(teacher.user)
    while_open = client.get(reverse("teachers:my_file")).content.decode()
    assert "尚无已结束的测评" in while_open  # nothing is shown while answers still come in

    assessment_services.close_round(evaluation_round=evaluation_round, by=bureau)
    body = client.get(reverse("teachers:my_file")).content.decode()
    section = body[body.index('id="evaluations"') : body.index('id="consequences"')]
    rows = {
        cells[0]: row
        for row in section.split("<tr>")[1:]
        if (cells := re.findall(r"<td[^>]*>(.*?)</td>", row))
    }
    assert "5.00" in rows["学生评价"] and "100.00" in rows["学生评价"]
    parents = rows["家长评价"]  # 2 answers, under 5: neither average nor score
    assert "不足5份，不显示" in parents and "2.00" not in parents and "40.00" not in parents


def test_the_task_list_and_answering_own_tasks(client, teacher, other_teacher, evaluation_round):
    client.force_login(teacher.user)
    tasks = client.get(reverse("teachers:evaluations")).content.decode()
    mine = RaterAssignment.objects.filter(rater_teacher=teacher)
    assert mine.count() == 2  # self, and the one colleague of a two-teacher school
    for task in mine:
        assert reverse("survey:assignment", args=[task.pk]) in tasks
    own = mine.get(group=RaterGroup.SELF)
    page = client.get(reverse("survey:assignment", args=[own.pk]))
    assert page.status_code == 200
    data = {f"t{teacher.pk}_i{item.pk}": "4" for item in evaluation_round.questionnaire.items.all()}
    incomplete = client.post(reverse("survey:assignment", args=[own.pk]), {})
    assert incomplete.status_code == 400 and not Response.objects.exists()
    assert client.post(reverse("survey:assignment", args=[own.pk]), data).status_code == 302
    own.refresh_from_db()
    assert own.answered_at is not None and Response.objects.count() == 1


def test_changing_the_task_id_gives_404_and_writes_nothing(
    client, teacher, other_teacher, principal, evaluation_round
):
    theirs = RaterAssignment.objects.get(group=RaterGroup.SELF, rater_teacher=other_teacher)
    principal_task = RaterAssignment.objects.get(group=RaterGroup.PRINCIPAL, ratee=teacher)
    data = {
        f"t{other_teacher.pk}_i{item.pk}": "1"
        for item in evaluation_round.questionnaire.items.all()
    }
    client.force_login(teacher.user)
    for task in (theirs, principal_task):
        assert client.get(reverse("survey:assignment", args=[task.pk])).status_code == 404
        assert client.post(reverse("survey:assignment", args=[task.pk]), data).status_code == 404
    assert not Response.objects.exists()
    client.force_login(principal)
    assert client.get(reverse("survey:assignment", args=[principal_task.pk])).status_code == 200
    assert client.get(reverse("survey:assignment", args=[theirs.pk])).status_code == 404


def test_the_school_page_makes_and_prints_codes(client, principal, school, evaluation_round):
    classroom = factories.make_classroom(school)
    other_school = factories.make_school()
    client.force_login(principal)
    page = client.get(reverse("survey:school"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body and "<script" not in body  # the public link's QR, inline
    token = selectors.public_link_token(evaluation_round, school)
    assert token in body
    response = client.post(
        reverse("survey:generate_codes", args=[evaluation_round.pk]),
        {"group": "student", "classroom": classroom.pk, "count": 6},
    )
    assert response.status_code == 302
    sheet = client.get(response.url)
    codes = AccessCode.objects.filter(school=school, classroom=classroom)
    assert codes.count() == 6
    text = sheet.content.decode()
    assert all(c.code in text for c in codes) and text.count("<svg") == 6
    assert "<script" not in text
    other = reverse("survey:sheet", args=[evaluation_round.pk, other_school.pk])
    assert client.get(other).status_code == 404


def test_teachers_may_not_print_codes(client, teacher, school, evaluation_round):
    client.force_login(teacher.user)
    url = reverse("survey:sheet", args=[evaluation_round.pk, school.pk])
    assert client.get(url).status_code == 403
    assert client.get(reverse("survey:school")).status_code == 403


def test_a_long_file_comes_a_page_at_a_time_newest_first(client, bureau, teacher, monkeypatch):
    from credit_registry.reports import data

    monkeypatch.setattr(data, "FILE_PAGE_SIZE", 2)
    today = timezone.localdate()
    records = [
        factories.make_record(
            teacher, code, by=bureau, occurred_on=today - datetime.timedelta(days=d)
        )
        for code, d in (("T-PAID-TUTORING", 30), ("T-GIFTS", 20), ("T-ETHICS-COMMENDATION", 10))
    ]
    client.force_login(teacher.user)
    first = client.get(reverse("teachers:my_file")).context
    second = client.get(reverse("teachers:my_file"), {"page": 2}).context
    assert [f.record for f in first["records"]] == [records[2], records[1]]
    assert [f.record for f in second["records"]] == [records[0]]
    for page in (first, second):  # the summary counts the whole file on every page
        assert (page["summary"]["total"], page["summary"]["negative"]) == (3, 2)
    # A page number that is not one lands on a real page, never an error.
    assert client.get(reverse("teachers:my_file"), {"page": "x'--"}).status_code == 200
    # The PDF's data holds every record, oldest first.
    assert [f.record for f in data.teacher_file(teacher)["records"]] == records
