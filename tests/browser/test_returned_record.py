"""A returned record is fixed where it was written: the principal proposes a record, the bureau
returns it with a reason, the principal reads the reason on the record's page, corrects the record
and submits it again, and the bureau approves it."""

import datetime

from django.urls import reverse
from django.utils import timezone

from evaluations.models import CreditRecord, RecordStatus
from tests import factories
from tests.browser.conftest import browser_test

ITEM = "T-PAID-TUTORING"  # 有偿补课
FIRST = "经家长反映，该教师周末在校外组织有偿补课。"
REASON = "事实陈述缺少时间、地点和收费金额，请补充后重新提交。"
CORRECTED = "2026年3月14日（周六）上午，该教师在家中为本班5名学生补课，每人每次收费100元。"


def _bureau_action(page, steps, pk: int, button: str, reason: str = "") -> None:
    """Select the record in the admin list, press the action's button, read the confirmation
    (giving a reason where it asks for one) and confirm."""
    page.goto("/admin/evaluations/creditrecord/")
    page.locator(f"input.action-select[value='{pk}']").check()
    with page.expect_navigation():
        page.locator(".actions").get_by_role("button", name=button, exact=True).click()
    page.locator("#confirm_list").get_by_text(f"#{pk}", exact=True).wait_for()
    if reason:
        page.fill("[name=reason]", reason)
    steps.shot(page, f"bureau-confirms-{'return' if reason else 'approval'}")
    with page.expect_navigation():
        page.click(".registry-confirm input[type=submit]")


@browser_test
def test_principal_corrects_a_returned_record_and_the_bureau_approves_it(open_page, steps):
    school = factories.make_school("蕉城第一中学")
    principal = factories.make_principal(school, "principal")
    principal.first_name = "陈校长"
    principal.save()
    teacher = factories.make_teacher(school, "王老师")
    factories.make_user("bureau", role=factories.Role.BUREAU_ADMIN, first_name="周科长")
    occurred_on = timezone.localdate() - datetime.timedelta(days=2)

    # The principal proposes the record in the portal.
    page = open_page("principal", f"{reverse('schools:propose_record')}?teacher={teacher.pk}")
    page.select_option("select[name=item]", str(factories.item(ITEM).pk))
    page.fill("input[name=occurred_on]", occurred_on.isoformat())
    page.fill("textarea[name=description]", FIRST)
    with page.expect_navigation():
        page.click("main form[method=post] [type=submit]")
    record = CreditRecord.objects.get(teacher=teacher)
    assert (record.status, record.recorded_by) == (RecordStatus.SUBMITTED, principal)
    steps.shot(page, "principal-record-submitted")

    # The bureau returns it with a reason: list button, confirmation with the reason, confirm.
    bureau = open_page("bureau", "/admin/")
    _bureau_action(bureau, steps, record.pk, "退回", REASON)
    bureau.get_by_text("已退回1条信用记录").wait_for()
    steps.shot(bureau, "bureau-returned")
    record.refresh_from_db()
    assert (record.status, record.returned_reason) == (RecordStatus.RETURNED, REASON)

    # The principal sees the reason on the record's page, with what may be done about it.
    page.goto(reverse("schools:dashboard"))
    with page.expect_navigation():
        page.get_by_role("link", name="1条信用记录被局机关退回，请查看退回理由").click()
    page.locator("tr", has_text=REASON).wait_for()
    with page.expect_navigation():
        page.get_by_role("link", name=str(record.pk), exact=True).click()
    returned = page.locator(".returned")
    returned.get_by_text(REASON).wait_for()
    assert "周科长" in returned.inner_text()
    for control in ("修改", "撤回"):
        page.locator(".working").get_by_role("link", name=control, exact=True).wait_for()
    page.locator(".working").get_by_role("button", name="重新提交").wait_for()
    steps.shot(page, "principal-sees-reason")

    # Corrects it with the proposing page's form, then submits it again.
    with page.expect_navigation():
        page.locator(".working").get_by_role("link", name="修改", exact=True).click()
    page.get_by_text(REASON).wait_for()
    page.fill("textarea[name=description]", CORRECTED)
    steps.shot(page, "principal-edit-form")
    with page.expect_navigation():
        page.get_by_role("button", name="保存修改").click()
    page.get_by_text("修改已保存").wait_for()
    record.refresh_from_db()
    assert (record.status, record.narrative, record.edited_by) == (
        RecordStatus.RETURNED,
        CORRECTED,
        principal,
    )
    with page.expect_navigation():
        page.locator(".working").get_by_role("button", name="重新提交").click()
    page.get_by_text("已提交局机关审核").wait_for()
    assert page.locator(".working").count() == 0  # with the bureau now: nothing to do
    steps.shot(page, "principal-resubmitted")
    record.refresh_from_db()
    assert (record.status, record.submitted_by) == (RecordStatus.SUBMITTED, principal)

    # The bureau approves it (button, confirmation).
    _bureau_action(bureau, steps, record.pk, "审核通过")
    bureau.get_by_text("已审核通过1条信用记录，可以公布").wait_for()
    steps.shot(bureau, "bureau-approved")
    record.refresh_from_db()
    assert (record.status, record.narrative) == (RecordStatus.APPROVED, CORRECTED)

    # The record's page tells the whole story, by name.
    page.reload()
    rows = page.locator("table.steps tbody tr")
    assert [rows.nth(i).locator("td").nth(1).inner_text() for i in range(rows.count())] == [
        "登记",
        "提交局机关审核",
        "退回",
        "修改",
        "重新提交",
        "审核通过",
    ]
    assert "周科长" in rows.nth(2).inner_text() and REASON in rows.nth(2).inner_text()
    assert "陈校长" in rows.nth(4).inner_text()
    steps.shot(page, "principal-sees-the-steps")
