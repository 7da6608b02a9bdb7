"""Identifiers masked by default: a student number that embeds the ID number, teachers' phones
and certificate numbers never reach someone whose duty does not need them; exact search by a
full number works without the number in a URL; admin id fields look people up in the user's
scope only."""

import datetime
import io
import re
from urllib.parse import unquote

import pytest
from django.urls import reverse
from pypdf import PdfReader

from credit_registry.access import Role
from credit_registry.common.identity import mask_code
from credit_registry.models import AccessAction, AccessLog
from evaluations.clues import services as clue_services
from evaluations.models import ClueChannel
from students import services as student_services
from teachers.models import Degree
from tests import factories

CHILD_ID = factories.valid_id_number(datetime.date(2013, 5, 17), serial=421)
CHILD_NUMBER = "G" + CHILD_ID


def _leaks(text: str) -> list[str]:
    """Every form of the child's identifiers that must not appear."""
    found = [value for value in (CHILD_ID, CHILD_NUMBER, CHILD_ID[6:14]) if value in text]
    return found


def _clue_about(teacher, inspector) -> None:
    clue = clue_services.receive_clue(
        channel=ClueChannel.PUBLIC,
        subject_description=teacher.name,
        content="反映有偿补课问题，请核查。",
        teacher=teacher,
    )
    bureau = factories.make_user(role=Role.BUREAU_ADMIN)
    clue_services.assign_clue(clue=clue, inspector=inspector, by=bureau)


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def classroom(school, teacher):
    return factories.make_classroom(school, head_teacher=teacher)


@pytest.fixture
def child(school, classroom):
    return factories.make_student(
        school, classroom, name="林小雨", student_number=CHILD_NUMBER, id_number=CHILD_ID
    )


def test_the_masking_rule_hides_an_embedded_id_number_and_the_middle_of_other_codes():
    assert mask_code(CHILD_NUMBER) == "G" + CHILD_ID[:3] + "*" * 11 + CHILD_ID[-4:]
    assert mask_code(CHILD_ID.lower()) == CHILD_ID[:3] + "*" * 11 + CHILD_ID[-4:]
    assert mask_code("ZS2019000123456") == "ZS20*******3456"
    assert mask_code("L2019001") == "L2****01"
    assert mask_code("AB1") == "***"
    assert mask_code("") == ""


def test_no_page_a_principal_class_teacher_or_parent_reaches_shows_the_childs_id_number(
    client, principal, teacher, school, classroom, child
):
    factories.make_record(child, "ST-COPYING-HOMEWORK")
    pledge = student_services.issue_pledge(
        by=principal, classroom=classroom, kind="yearly", year=factories.YEAR
    )
    record = child.credit_records.get()
    shown: dict[str, str] = {}

    client.force_login(principal)
    for url in (
        reverse("students:file", args=[child.pk]),
        reverse("schools:students"),
        reverse("schools:records"),
        reverse("record_detail", args=[record.pk]),
        reverse("students:pledge", args=[pledge.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        shown[f"principal {url}"] = response.content.decode()
    pdf = client.post(reverse("reports:student_file", args=[child.pk]))
    assert pdf.status_code == 200
    shown["principal pdf"] = _pdf_text(pdf.getvalue())
    shown["principal pdf name"] = unquote(pdf["Content-Disposition"])
    code = client.post(reverse("students:parent_code", args=[child.pk])).context["code"]

    client.force_login(teacher.user)
    for url in (reverse("students:my_class"), reverse("students:file", args=[child.pk])):
        response = client.get(url)
        assert response.status_code == 200, url
        shown[f"class teacher {url}"] = response.content.decode()

    client.logout()
    assert client.post(reverse("students:parent"), {"code": code}).status_code == 302
    shown["parent"] = client.get(reverse("students:parent_file")).content.decode()

    leaks = {where: _leaks(text) for where, text in shown.items() if _leaks(text)}
    assert leaks == {}
    # What is shown instead still tells the student apart.
    assert (
        mask_code(CHILD_NUMBER) in shown[f"principal {reverse('students:file', args=[child.pk])}"]
    )
    assert CHILD_ID[-4:] in shown["principal pdf name"]


def test_a_full_student_number_finds_the_student_without_entering_any_url(client, principal, child):
    client.force_login(principal)
    posted = client.post(reverse("schools:students"), {"q": CHILD_NUMBER.lower(), "classroom": ""})
    assert posted.status_code == 302
    assert CHILD_ID not in posted["Location"] and CHILD_ID[6:14] not in posted["Location"]
    assert re.fullmatch(r"/school/students/\?s=[\w-]+", posted["Location"])
    found = client.get(posted["Location"])
    assert list(found.context["page"]) == [child]
    # The box shows what the user typed; no link on the page carries it.
    links = re.findall(r'(?:href|action)="([^"]*)"', found.content.decode())
    assert links and not [link for link in links if CHILD_ID in link.upper()]
    # A part of the number finds nobody: parts would tell the birth date.
    part = client.post(reverse("schools:students"), {"q": CHILD_ID[6:14]})
    assert list(client.get(part["Location"]).context["page"]) == []
    # Names still come back as an ordinary link.
    by_name = client.post(reverse("schools:students"), {"q": "林小"})
    assert by_name["Location"] == "/school/students/?q=%E6%9E%97%E5%B0%8F"
    assert list(client.get(by_name["Location"]).context["page"]) == [child]


def test_the_bureau_searches_the_admin_by_id_number_without_it_in_a_url(
    client, bureau, school, teacher
):
    client.force_login(bureau)
    url = reverse("admin:teachers_teacher_changelist")
    posted = client.post(f"{url}?school__kind__exact=junior", {"q": teacher.id_number})
    assert posted.status_code == 302
    location = posted["Location"]
    assert teacher.id_number not in location and "school__kind__exact=junior" in location
    listed = client.get(location)
    assert list(listed.context["cl"].result_list) == [teacher]
    page = listed.content.decode()
    links = re.findall(r'href="([^"]*)"', page)
    assert not [link for link in links if teacher.id_number in link]
    assert any("s=" in link for link in links if "_changelist_filters" in link or "?o=" in link)
    # A name search is an ordinary link.
    assert client.post(url, {"q": teacher.name})["Location"] == f"{url}?q={teacher.name}".replace(
        teacher.name, "%E7%8E%8B%E8%80%81%E5%B8%88"
    )


def test_an_inspector_reads_no_name_by_id_outside_the_clues(client, inspector, school, teacher):
    other_school = factories.make_school("蕉城第九中学")
    stranger = factories.make_teacher(other_school, "钱某某")
    student = factories.make_student(other_school, name="孙小小")
    _clue_about(teacher, inspector)
    client.force_login(inspector)
    add = reverse("admin:evaluations_creditrecord_add")
    for query in (f"student={student.pk}", f"teacher={stranger.pk}"):
        page = client.get(f"{add}?{query}").content.decode()
        assert "孙小小" not in page and "钱某某" not in page
    own = client.get(f"{add}?teacher={teacher.pk}").content.decode()
    assert teacher.name in own
    # A record about someone outside the clues is refused as an invalid choice.
    response = client.post(
        add,
        {
            "teacher": stranger.pk,
            "item": factories.item("T-PAID-TUTORING").pk,
            "occurred_on": "2026-03-10",
            "source": "inspection",
            "narrative": "x",
        },
    )
    assert response.status_code == 200 and "teacher" in response.context["adminform"].form.errors


def test_an_inspector_sees_phones_and_certificate_numbers_masked(client, inspector, school):
    teacher = factories.make_teacher(school, "周老师", phone="13905931234")
    degree = Degree.objects.create(
        teacher=teacher,
        level="bachelor",
        institution="福建师范大学",
        certificate_number="1039412019000123",
    )
    _clue_about(teacher, inspector)
    client.force_login(inspector)
    page = client.get(reverse("admin:teachers_teacher_change", args=[teacher.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "13905931234" not in body and "139****1234" in body
    assert degree.certificate_number not in body and mask_code(degree.certificate_number) in body
    assert teacher.id_number not in body


def test_the_bureau_sees_full_values_and_the_access_log_says_which(client, bureau, school):
    teacher = factories.make_teacher(school, "周老师", phone="13905931234")
    client.force_login(bureau)
    body = client.get(reverse("admin:teachers_teacher_change", args=[teacher.pk])).content
    assert b"13905931234" in body and teacher.id_number.encode() in body
    line = AccessLog.objects.get(action=AccessAction.VIEW_PERSONAL_DATA)
    assert "身份证号" in line.detail and "联系电话" in line.detail
