"""On a phone (390×844) every role's main pages fit the screen: tables become cards and nothing
scrolls sideways. Then a class teacher issues the parents' codes of a whole class, prints the
sheet, and a parent opens the child's file with one of the codes on a phone."""

import re

from django.urls import reverse
from django.utils import timezone

from evaluations.schoolwork import services as schoolwork_services
from students import services as student_services
from students.models import ParentCode
from tests import factories
from tests.browser.conftest import browser_test

PHONE = {"width": 390, "height": 844}


def _fits_the_phone(page) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{page.url} is {widths[0]}px wide on a {widths[1]}px phone"


def _school_with_a_class():
    """A school with records, an activity and a class of five; its class teacher signs in."""
    bureau = factories.make_user("bureau", role=factories.Role.BUREAU_ADMIN)
    school = factories.make_school("蕉城区第一实验中学（初中部）")
    principal = factories.make_principal(school, "principal")
    head = factories.make_teacher(school, "王老师", subject="语文")
    head.user.username = "teacher"
    head.user.save(update_fields=["username"])
    colleague = factories.make_teacher(school, "欧阳老师", subject="数学")
    classroom = factories.make_classroom(school, head_teacher=head, name="1班")
    students = [
        factories.make_student(school, classroom, name=name)
        for name in ("李小明", "周小华", "欧阳晓晓", "陈一诺", "林思彤")
    ]
    factories.make_record(head, "T-ETHICS-COMMENDATION", by=bureau)
    factories.make_record(colleague, "T-CORPORAL-PUNISHMENT", by=bureau)
    factories.make_record(students[0], "ST-INTEGRITY-STAR", by=bureau)
    factories.make_record(school, "S-ARBITRARY-FEES", by=bureau)
    schoolwork_services.record_activity(
        by=principal,
        school=school,
        kind="class_meeting",
        title="诚信主题班会：说到做到，做诚实守信的好少年",
        held_on=timezone.localdate(),
        participants="七年级全体学生",
        participant_count=320,
        description="讨论诚信故事。",
        photos=[],
    )
    return principal, classroom, students


@browser_test
def test_every_roles_main_pages_fit_a_phone(open_page, steps):
    principal, _classroom, students = _school_with_a_class()
    code = student_services.issue_parent_code(by=principal, student=students[0])
    pages = {
        "principal": [
            reverse("schools:dashboard"),
            reverse("schools:teachers"),
            reverse("schools:students"),
            reverse("schools:records") + "?status=",
            reverse("schools:activities"),
            reverse("schools:standing"),
        ],
        "teacher": [reverse("teachers:my_file"), reverse("students:my_class")],
        None: [
            reverse("public:index"),
            reverse("public:red_list"),
            reverse("public:black_list"),
            reverse("public:disclosure"),
            reverse("public:exemplars"),
        ],
    }
    for user, paths in pages.items():
        page = open_page(user, paths[0])
        page.set_viewport_size(PHONE)
        for path in paths:
            page.goto(path)
            _fits_the_phone(page)
            steps.shot(page, f"{user or 'public'}-{re.sub(r'[^a-z]+', '-', path).strip('-')}")
    # Tables are cards: each cell names its column.
    page = open_page("principal", reverse("schools:students"))
    page.set_viewport_size(PHONE)
    cell = page.locator("main td[data-label]").first
    assert cell.evaluate("td => getComputedStyle(td).display") == "block"
    assert cell.evaluate("td => getComputedStyle(td, '::before').content") == '"姓名"'
    # The parent's view of the child's file.
    parent = open_page(None, reverse("students:parent"))
    parent.set_viewport_size(PHONE)
    parent.fill("input[name=code]", code)
    with parent.expect_navigation():
        parent.locator("main form button[type=submit]").click()
    parent.get_by_role("heading", name="李小明的诚信档案").wait_for()
    _fits_the_phone(parent)
    steps.shot(parent, "parent-file")


@browser_test
def test_a_class_teacher_prints_the_parents_codes_and_a_parent_uses_one_on_a_phone(
    open_page, steps, tmp_path
):
    _principal, _classroom, students = _school_with_a_class()
    page = open_page("teacher", reverse("students:my_class"))
    steps.shot(page, "my-class")
    with page.expect_navigation():
        page.get_by_role("link", name="为全班发放家长查询码").click()
    page.get_by_text("5名", exact=True).wait_for()
    steps.shot(page, "confirm")
    with page.expect_navigation():
        page.get_by_role("button", name="发放并打印（5名学生）").click()
    slips = page.locator(".parent-slip")
    assert slips.count() == len(students)
    assert page.locator(".parent-slip svg").count() == len(students)  # a QR code on each
    for student in students:
        assert page.locator(".parent-slip", has_text=student.name).count() == 1
    assert students[0].student_number not in page.content()
    assert ParentCode.objects.filter(revoked_at__isnull=True).count() == len(students)
    steps.shot(page, "sheet")
    pdf = tmp_path / "sheet.pdf"
    page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True)
    assert pdf.read_bytes().startswith(b"%PDF")

    slip = page.locator(".parent-slip", has_text="欧阳晓晓")
    code = slip.locator(".code").inner_text().strip()
    parent = open_page(None, reverse("students:parent") + f"?code={code}")
    parent.set_viewport_size(PHONE)
    assert parent.input_value("input[name=code]") == code  # what the QR code opens
    steps.shot(parent, "parent-enter")
    with parent.expect_navigation():
        parent.locator("main form button[type=submit]").click()
    parent.get_by_role("heading", name="欧阳晓晓的诚信档案").wait_for()
    _fits_the_phone(parent)
    steps.shot(parent, "parent-file")
