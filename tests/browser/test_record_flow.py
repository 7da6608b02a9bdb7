"""A credit record's life as the people involved see it: the principal proposes it, the bureau
approves and publishes it, the teacher finds it in their file and objects, the bureau decides."""

import datetime
import struct
import zlib

from django.urls import reverse
from django.utils import timezone

from evaluations.models import CreditRecord, Objection, ObjectionStatus, RecordStatus
from tests import factories
from tests.browser.conftest import browser_test

ITEM = "T-PAID-TUTORING"  # 有偿补课
NARRATIVE = "经家长反映并核实，该教师于周末在校外组织有偿补课。"
EVIDENCE = "家长反映材料.png"


def _png() -> bytes:
    """A valid 1×1 PNG, for the evidence upload."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _propose(open_page, steps, teacher, occurred_on) -> int:
    """The principal proposes the record from the school's teacher list, with a photo as
    evidence."""
    page = open_page("principal", "/portal/")
    steps.shot(page, "principal-portal")
    page.goto(reverse("schools:teachers"))
    row = page.locator("tr", has_text=teacher.name)
    with page.expect_navigation():
        row.get_by_role("link", name="登记信用记录").click()
    assert page.url.endswith(f"{reverse('schools:propose_record')}?teacher={teacher.pk}")
    page.select_option("select[name=item]", str(factories.item(ITEM).pk))
    page.fill("input[name=occurred_on]", occurred_on.isoformat())
    page.fill("textarea[name=description]", NARRATIVE)
    page.set_input_files(
        "input[name=evidence]",
        files=[{"name": EVIDENCE, "mimeType": "image/png", "buffer": _png()}],
    )
    steps.shot(page, "principal-propose-form")
    with page.expect_navigation():
        page.click("main form[method=post] [type=submit]")
    record = CreditRecord.objects.get(teacher=teacher)
    page.wait_for_url(f"**{reverse('record_detail', args=[record.pk])}")
    page.get_by_role("link", name=EVIDENCE).wait_for()
    steps.shot(page, "principal-record-submitted")
    return record.pk


def _run_admin_action(page, label: str) -> None:
    """Choose the action, then confirm it on the page that says what it will do."""
    page.select_option("select[name=CHANGE_FORM-action]", label=label)
    with page.expect_navigation():
        page.click(".actions button[name=index]")
    with page.expect_navigation():
        page.click(".registry-confirm input[type=submit]")


@browser_test
def test_principal_proposes_bureau_publishes_teacher_objects_bureau_decides(open_page, steps):
    school = factories.make_school("蕉城第一中学")
    principal = factories.make_principal(school, "principal")
    teacher = factories.make_teacher(school, "王老师")
    factories.make_user("bureau", role=factories.Role.BUREAU_ADMIN)
    occurred_on = timezone.localdate() - datetime.timedelta(days=3)

    pk = _propose(open_page, steps, teacher, occurred_on)
    record = CreditRecord.objects.get(pk=pk)
    assert (record.teacher, record.status) == (teacher, RecordStatus.SUBMITTED)
    assert record.recorded_by == principal and record.narrative == NARRATIVE
    assert [e.original_name for e in record.evidence.all()] == [EVIDENCE]

    # The bureau approves, then publishes, on the record's page in the admin site.
    bureau = open_page("bureau", f"/admin/evaluations/creditrecord/{pk}/change/")
    bureau.wait_for_selector("select[name=CHANGE_FORM-action]")
    steps.shot(bureau, "bureau-record-submitted")
    _run_admin_action(bureau, "审核通过")
    bureau.goto(f"/admin/evaluations/creditrecord/{pk}/change/")
    _run_admin_action(bureau, "公布")
    record.refresh_from_db()
    assert record.status == RecordStatus.PUBLISHED
    bureau.goto(f"/admin/evaluations/creditrecord/{pk}/change/")
    steps.shot(bureau, "bureau-record-published")

    # The teacher sees it in their file, opens it and objects.
    page = open_page(teacher.user.username)
    page.wait_for_url("**/teacher/")
    heading = page.get_by_role("link", name=f"#{pk} 有偿补课")
    heading.wait_for()
    steps.shot(page, "teacher-file")
    with page.expect_navigation():
        heading.click()
    assert page.url.endswith(reverse("record_detail", args=[pk]))
    page.fill("textarea[name=reason]", "补课系学校统一安排的免费辅导，未收取任何费用，附课表为证。")
    steps.shot(page, "teacher-objection-form")
    with page.expect_navigation():
        page.get_by_role("button", name="提交异议").click()
    page.get_by_text("异议已提交").wait_for()
    steps.shot(page, "teacher-objection-filed")
    objection = Objection.objects.get(record_id=pk)
    assert objection.status == ObjectionStatus.OPEN
    assert CreditRecord.objects.get(pk=pk).status == RecordStatus.UNDER_OBJECTION

    # The bureau decides the objection: the record is revoked.
    bureau.goto("/admin/evaluations/objection/")
    steps.shot(bureau, "bureau-objections")
    with bureau.expect_navigation():
        bureau.get_by_role("link", name="处理异议").click()
    bureau.select_option("select[name=outcome]", ObjectionStatus.REVOKED.value)
    bureau.fill("textarea[name=reason]", "经核查，该辅导为学校统一安排且未收费，异议成立。")
    steps.shot(bureau, "bureau-decision-form")
    with bureau.expect_navigation():
        bureau.click("#content-main input[type=submit]")
    bureau.get_by_text("已处理").wait_for()
    steps.shot(bureau, "bureau-objection-decided")
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.REVOKED
    assert CreditRecord.objects.get(pk=pk).status == RecordStatus.REVOKED

    # The teacher sees the decision on the record's page.
    page.reload()
    page.locator("main li", has_text="撤销：经核查").wait_for()
    steps.shot(page, "teacher-sees-decision")
