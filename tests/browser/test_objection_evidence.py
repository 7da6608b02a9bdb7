"""Evidence where the decision is made: a teacher objects on the portal with a file, and the
bureau opens the objection from its queue and finds the file beside the decision form."""

from django.urls import reverse

from evaluations.models import CreditRecord, Objection, RecordStatus
from tests import factories
from tests.browser.conftest import browser_test

PDF = b"%PDF-1.4\n% leave approval\n%%EOF\n"
FILE_NAME = "请假审批单.pdf"


@browser_test
def test_teacher_objects_with_a_file_and_the_bureau_finds_it_on_the_decide_page(open_page, steps):
    school = factories.make_school("蕉城第一中学")
    teacher = factories.make_teacher(school, "王老师")
    bureau_user = factories.make_user("bureau", role=factories.Role.BUREAU_ADMIN)
    record = factories.make_record(teacher, "T-PAID-TUTORING", by=bureau_user)

    page = open_page(teacher.user.username, reverse("record_detail", args=[record.pk]))
    page.fill("textarea[name=reason]", "当天本人请假外出，未在校外补课，附请假审批单。")
    page.set_input_files(
        "input[name=files]",
        files=[{"name": FILE_NAME, "mimeType": "application/pdf", "buffer": PDF}],
    )
    steps.shot(page, "teacher-objection-with-file")
    with page.expect_navigation():
        page.get_by_role("button", name="提交异议").click()
    page.get_by_text("异议已提交").wait_for()
    page.locator("main li").get_by_role("link", name=FILE_NAME).wait_for()
    steps.shot(page, "teacher-objection-filed")
    objection = Objection.objects.get(record=record)
    assert [f.original_name for f in objection.evidence.all()] == [FILE_NAME]
    assert CreditRecord.objects.get(pk=record.pk).status == RecordStatus.UNDER_OBJECTION

    bureau = open_page("bureau", "/admin/evaluations/objection/")
    row = bureau.locator("#result_list tr", has_text=FILE_NAME)
    row.wait_for()
    steps.shot(bureau, "bureau-queue-with-file")
    with bureau.expect_navigation():
        row.get_by_role("link", name="处理异议").click()
    link = bureau.locator("#content-main").get_by_role("link", name=FILE_NAME)
    link.wait_for()
    file_url = reverse("objection_file", args=[objection.pk, objection.evidence.get().pk])
    assert link.get_attribute("href") == file_url
    steps.shot(bureau, "bureau-decide-page-with-file")
    response = bureau.request.get(file_url)
    assert response.status == 200 and response.body() == PDF
