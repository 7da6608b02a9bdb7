"""A bureau clerk's day in the admin site: the workbench's counts lead to the queues they count,
records are reviewed in bulk after a confirmation, an objection is decided from its queue with
the record's evidence in view, and the year is closed once the clerk has read what cannot be
undone. Pages are checked for sideways scrolling at 1366×768."""

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from evaluations.assessment import services as assessment_services
from evaluations.disputes import services as dispute_services
from evaluations.models import (
    AssessmentYear,
    CreditRecord,
    Objection,
    ObjectionStatus,
    RecordStatus,
)
from evaluations.records import services as record_services
from tests import factories
from tests.browser.conftest import browser_test
from tests.browser.test_record_flow import _png

OFFICE_SCREEN = {"width": 1366, "height": 768}


def _no_sideways_scrolling(page) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at 1366 px"


def _counts(page) -> dict[str, tuple[int, str]]:
    cards = page.locator(".wb-card a")
    found = {}
    for n in range(cards.count()):
        card = cards.nth(n)
        label = card.locator(".wb-label").inner_text().strip()
        found[label] = (int(card.locator(".wb-count").inner_text()), card.get_attribute("href"))
    return found


def _listed(page) -> int:
    """The number of rows a list shows under its filter (one page is enough here)."""
    return page.locator("#result_list tbody tr").count()


@browser_test
def test_a_clerks_day(open_page, steps):
    school = factories.make_school("蕉城第一中学")
    teachers = [factories.make_teacher(school, name) for name in ("王老师", "李老师", "张老师")]
    bureau_user = factories.make_user("bureau", role=factories.Role.BUREAU_ADMIN, first_name="戴婷")
    to_review = [
        factories.make_record(t, "T-GIFTS", by=bureau_user, status=RecordStatus.SUBMITTED)
        for t in teachers
    ]
    objected = factories.make_record(
        teachers[0], "T-PAID-TUTORING", by=bureau_user, status=RecordStatus.SUBMITTED
    )
    record_services.attach_evidence(
        record=objected,
        by=bureau_user,
        uploaded_file=SimpleUploadedFile("家长反映材料.png", _png(), content_type="image/png"),
    )
    record_services.approve_record(record=objected, by=bureau_user)
    record_services.publish_record(record=objected, by=bureau_user)
    objection = dispute_services.file_objection(
        record=objected, by=teachers[0].user, reason="补课为学校统一安排，附课表"
    )
    Objection.objects.filter(pk=objection.pk).update(due_on=timezone.localdate())
    assessment_services.ensure_year(year=2024, by=bureau_user)

    page = open_page("bureau", "/admin/")
    page.set_viewport_size(OFFICE_SCREEN)
    page.goto("/admin/")
    steps.shot(page, "workbench")
    _no_sideways_scrolling(page)

    # Every count on the workbench is the number of rows its link lists.
    counts = _counts(page)
    assert counts["待审核的信用记录"][0] == 3
    assert counts["两个工作日内到期的异议"][0] == 1
    for label, (count, url) in counts.items():
        page.goto(url)
        assert _listed(page) == count, label
        _no_sideways_scrolling(page)

    # Bulk review: select the three records, read the confirmation, approve.
    page.goto(counts["待审核的信用记录"][1])
    steps.shot(page, "review-queue")
    page.check("#action-toggle")
    with page.expect_navigation():
        page.locator(".actions").get_by_role("button", name="审核通过").click()
    table = page.locator("#confirm_list")
    for record in to_review:
        table.get_by_text(f"#{record.pk}", exact=True).wait_for()
    assert page.locator("#confirm_list tbody tr").count() == 3
    steps.shot(page, "review-confirmation")
    _no_sideways_scrolling(page)
    assert CreditRecord.objects.filter(status=RecordStatus.SUBMITTED).count() == 3
    with page.expect_navigation():
        page.click(".registry-confirm input[type=submit]")
    page.get_by_text("已审核通过3条信用记录，可以公布").wait_for()
    assert CreditRecord.objects.filter(status=RecordStatus.APPROVED).count() == 3

    # The objection due today, decided from its queue with the evidence in view.
    page.goto(counts["两个工作日内到期的异议"][1])
    with page.expect_navigation():
        page.get_by_role("link", name="处理异议").click()
    page.get_by_role("link", name="家长反映材料.png").wait_for()
    assert "补课为学校统一安排" in page.content()
    steps.shot(page, "objection-decision")
    _no_sideways_scrolling(page)
    page.select_option("select[name=outcome]", ObjectionStatus.UPHELD.value)
    page.fill("textarea[name=reason]", "经核实，补课确系收费，维持原记录。")
    with page.expect_navigation():
        page.click("#content-main input[type=submit]")
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.UPHELD

    # Closing a year: the confirmation says what cannot be undone; only then is it closed.
    page.goto("/admin/evaluations/assessmentyear/")
    page.locator("tr", has_text="2024—2025学年").locator("input.action-select").check()
    with page.expect_navigation():
        page.locator(".actions").get_by_role(
            "button", name="关闭所选学年（重算后冻结结果）"
        ).click()
    page.get_by_text("关闭不能撤销").wait_for()
    steps.shot(page, "close-year-confirmation")
    assert not AssessmentYear.objects.get(year=2024).is_closed
    with page.expect_navigation():
        page.click(".registry-confirm input[type=submit]")
    page.get_by_text(re.compile("已关闭2024—2025学年")).wait_for()
    assert AssessmentYear.objects.get(year=2024).is_closed
