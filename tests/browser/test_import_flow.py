"""A bureau clerk imports teachers from Excel in the admin site; one row names a school that does
not exist: the preview says so in Chinese, by row and column, and nothing is written."""

from schools.models import School
from teachers.models import Degree, Posting, Teacher
from tests import factories
from tests.browser.conftest import browser_test
from tests.imports.test_imports import TEACHER_HEADERS, teacher_rows, xlsx

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _counts():
    return (
        School.objects.count(),
        Teacher.objects.count(),
        Posting.objects.count(),
        Degree.objects.count(),
    )


@browser_test
def test_excel_import_with_a_bad_row_shows_it_and_writes_nothing(open_page, steps):
    school = factories.make_school("蕉城第一中学")
    factories.make_user("bureau", role=factories.Role.BUREAU_ADMIN)
    rows = teacher_rows(school, 3)
    rows[1][3] = "3509999999"  # the second data row (spreadsheet row 3): no such school
    workbook = xlsx(TEACHER_HEADERS, rows)
    before = _counts()

    page = open_page("bureau", "/admin/teachers/teacher/")
    page.wait_for_selector("#changelist")
    steps.shot(page, "teacher-list")
    with page.expect_navigation():
        page.get_by_role("link", name="导入", exact=True).click()
    assert page.url.endswith("/admin/teachers/teacher/import/")
    page.set_input_files(
        "input[name=file]", files=[{"name": "教师.xlsx", "mimeType": XLSX_TYPE, "buffer": workbook}]
    )
    steps.shot(page, "import-form")
    with page.expect_navigation():
        page.click("#content-main form[enctype] input[type=submit]")

    problems = page.locator("#import-problems tbody tr")
    problems.first.wait_for()
    assert problems.count() == 1
    cells = problems.first.locator("td").all_inner_texts()
    assert cells[0] == "3" and "学校" in cells[1]
    assert "3509999999" in cells[2] and "不存在" in cells[2]
    assert page.locator(".errornote", has_text="未写入任何数据").is_visible()
    assert page.locator("input[name=token]").count() == 0  # nothing to confirm
    steps.shot(page, "import-preview-with-error")
    assert _counts() == before
