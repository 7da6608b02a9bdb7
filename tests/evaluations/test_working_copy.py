"""Returned and draft records are fixed where they were written: the author sees the bureau's
reason on the record's page, corrects the record, submits it again or withdraws it — each through
the services, each offered exactly when the rule-book allows it — and the page tells every step
with who and when."""

import datetime

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from credit_registry.access import Role
from evaluations.models import CreditRecord, Evidence, Notice, RecordStatus
from evaluations.records import selectors
from evaluations.records import services as record_services
from tests import factories

REASON = "事实陈述缺少时间和地点，请补充后重新提交。"
ITEM = "T-PAID-TUTORING"


@pytest.fixture
def clerk(db):
    return factories.make_user("clerk", role=Role.BUREAU_ADMIN, first_name="局机关周科长")


@pytest.fixture
def head(principal):
    principal.first_name = "陈校长"
    principal.save()
    return principal


def _proposed(by, subject, code=ITEM):
    return record_services.propose_record(
        by=by,
        subject=subject,
        item=factories.item(code),
        occurred_on=timezone.localdate() - datetime.timedelta(days=2),
        narrative="周末收费辅导学生。",
    )


def _returned(by, subject, clerk, code=ITEM):
    record = _proposed(by, subject, code)
    return record_services.return_record(record=record, by=clerk, reason=REASON)


def _page(client, record) -> str:
    response = client.get(reverse("record_detail", args=[record.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _controls(html: str, record) -> set[str]:
    urls = {
        "edit": reverse("schools:edit_record", args=[record.pk]),
        "submit": reverse("record_submit", args=[record.pk]),
        "withdraw": reverse("record_withdraw", args=[record.pk]),
    }
    return {name for name, url in urls.items() if f'"{url}"' in html}


def test_the_author_sees_the_bureaus_reason_and_every_control(client, head, teacher, clerk):
    record = _returned(head, teacher, clerk)
    client.force_login(head)
    html = _page(client, record)
    assert REASON in html and "局机关周科长" in html
    assert timezone.localtime(record.returned_at).strftime("%Y-%m-%d %H:%M") in html
    assert _controls(html, record) == {"edit", "submit", "withdraw"}
    assert "重新提交" in html
    # The school's list says the same and offers the same.
    listing = client.get(reverse("schools:records"), {"status": "returned"}).content.decode()
    assert REASON in listing and _controls(listing, record) == {"edit", "submit", "withdraw"}


def test_controls_are_shown_exactly_when_the_rule_book_allows_them(
    client, head, teacher, clerk, school
):
    # Proposed by the school's class teacher: the school answers for it too and may act.
    head_teacher = factories.make_teacher(school, "班主任李老师")
    pupil = factories.make_student(school, factories.make_classroom(school, head_teacher))
    by_teacher = _returned(head_teacher.user, pupil, clerk, "ST-COPYING-HOMEWORK")
    waiting = _proposed(head, teacher)
    published = factories.make_record(teacher, ITEM, by=clerk)
    by_bureau = _returned(clerk, teacher, clerk)  # the bureau's own working copy
    client.force_login(head)
    html = _page(client, by_teacher)
    assert REASON in html and _controls(html, by_teacher) == {"edit", "submit", "withdraw"}
    assert _controls(_page(client, waiting), waiting) == set()  # with the bureau: nothing to do
    assert _controls(_page(client, published), published) == set()
    assert _controls(_page(client, by_bureau), by_bureau) == set()
    listing = client.get(reverse("schools:records"), {"status": ""}).content.decode()
    assert _controls(listing, by_teacher) == {"edit", "submit", "withdraw"}
    assert all(_controls(listing, r) == set() for r in (waiting, published, by_bureau))
    client.post(reverse("record_submit", args=[by_teacher.pk]))
    by_teacher.refresh_from_db()
    assert (by_teacher.status, by_teacher.submitted_by) == (RecordStatus.SUBMITTED, head)


def test_the_author_corrects_a_returned_record_and_submits_it_again(client, head, teacher, clerk):
    record = _returned(head, teacher, clerk)
    client.force_login(head)
    edit_url = reverse("schools:edit_record", args=[record.pk])
    form = client.get(edit_url).content.decode()
    assert REASON in form and "周末收费辅导学生。" in form
    # The date picker gets the record's date as an ISO date, which it can show.
    assert f'value="{record.occurred_on.isoformat()}"' in form
    corrected = "2026年3月14日（周六）在家中收费辅导本班学生5人，每人每次100元。"
    response = client.post(
        edit_url,
        {
            "item": record.item_id,
            "occurred_on": record.occurred_on.isoformat(),
            "description": corrected,
            "evidence": SimpleUploadedFile("收据.pdf", b"%PDF-1.4 receipt", "application/pdf"),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("record_detail", args=[record.pk])
    record.refresh_from_db()
    assert (record.narrative, record.status, record.edited_by) == (
        corrected,
        RecordStatus.RETURNED,
        head,
    )
    assert record.evidence.count() == 1

    response = client.post(reverse("record_submit", args=[record.pk]), follow=True)
    record.refresh_from_db()
    assert (record.status, record.submitted_by) == (RecordStatus.SUBMITTED, head)
    html = response.content.decode()
    assert "已提交局机关审核" in html and _controls(html, record) == set()


def test_the_record_page_tells_every_step_with_who_and_when(client, head, teacher, clerk, clock):
    record = _proposed(head, teacher)
    clock.shift(datetime.timedelta(hours=1))
    record = record_services.return_record(record=record, by=clerk, reason=REASON)
    clock.shift(datetime.timedelta(hours=1))
    record = record_services.edit_record(
        record=record,
        by=head,
        item=record.item,
        occurred_on=record.occurred_on,
        narrative="补充了时间和地点。",
    )
    clock.shift(datetime.timedelta(hours=1))
    record = record_services.submit_record(record=record, by=head)
    clock.shift(datetime.timedelta(hours=1))
    record = record_services.approve_record(record=record, by=clerk)
    record = record_services.publish_record(record=record, by=clerk)

    steps = selectors.record_steps(CreditRecord.objects.get(pk=record.pk))
    assert [(str(s.action), s.who, s.detail) for s in steps] == [
        ("登记", "陈校长", ""),
        ("提交局机关审核", "陈校长", ""),
        ("退回", "局机关周科长", REASON),
        ("修改", "陈校长", "事实陈述"),
        ("重新提交", "陈校长", ""),
        ("审核通过", "局机关周科长", ""),
        ("公布", "局机关周科长", ""),
    ]
    assert steps[-1].hash and [s.at for s in steps] == sorted(s.at for s in steps)
    client.force_login(head)
    html = _page(client, record)
    assert "办理经过" in html and "重新提交" in html and steps[-1].hash in html


def test_a_record_without_saved_versions_shows_what_its_columns_say(head, teacher, clerk):
    record = _returned(head, teacher, clerk)
    record.history.all().delete()
    steps = selectors.record_steps(record)
    assert [(str(s.action), s.who) for s in steps] == [
        ("登记", "陈校长"),
        ("提交局机关审核", "陈校长"),
        ("退回", "局机关周科长"),
    ]


def test_the_edit_page_refuses_what_the_proposing_page_refuses(client, head, teacher, clerk):
    record = _returned(head, teacher, clerk)
    client.force_login(head)
    response = client.post(
        reverse("schools:edit_record", args=[record.pk]),
        {
            "item": record.item_id,
            "occurred_on": (timezone.localdate() + datetime.timedelta(days=1)).isoformat(),
            "description": "改过的陈述",
        },
    )
    assert response.status_code == 200 and "发生日期不能晚于今天" in response.content.decode()
    assert CreditRecord.objects.get(pk=record.pk).narrative == "周末收费辅导学生。"


def test_what_the_rule_book_refuses_comes_back_as_a_message(client, head, teacher, clerk):
    published = factories.make_record(teacher, ITEM, by=clerk)
    waiting = _proposed(head, teacher)
    client.force_login(head)
    edit = client.get(reverse("schools:edit_record", args=[published.pk]), follow=True)
    assert edit.redirect_chain[-1][0] == reverse("record_detail", args=[published.pk])
    assert "只有记录人、其所在学校或局机关可以修改记录" in edit.content.decode()
    again = client.post(reverse("record_submit", args=[waiting.pk]), follow=True)
    assert "记录当前状态为“已提交”，不能提交" in again.content.decode()
    withdraw = client.post(reverse("record_withdraw", args=[waiting.pk]), follow=True)
    assert "不能撤回" in withdraw.content.decode()
    assert CreditRecord.objects.filter(pk=waiting.pk, status=RecordStatus.SUBMITTED).exists()


def test_withdrawing_asks_first_then_deletes_the_record_and_its_evidence(
    client, head, teacher, clerk
):
    record = _returned(head, teacher, clerk)
    record_services.attach_evidence(
        record=record,
        by=head,
        uploaded_file=SimpleUploadedFile("a.pdf", b"%PDF-1.4 a", "application/pdf"),
    )
    client.force_login(head)
    url = reverse("record_withdraw", args=[record.pk])
    confirm = client.get(url).content.decode()
    assert "不能恢复" in confirm and "确认撤回" in confirm
    assert CreditRecord.objects.filter(pk=record.pk).exists()
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("schools:records")
    assert f"信用记录#{record.pk}已撤回" in response.content.decode()
    assert not CreditRecord.objects.filter(pk=record.pk).exists()
    assert not Evidence.objects.filter(record_id=record.pk).exists()
    gone = CreditRecord.history.filter(id=record.pk).order_by("-history_id").first()
    assert (gone.history_type, gone.history_user) == ("-", head)


def test_the_class_teacher_who_proposed_a_student_record_gets_the_same(client, school, clerk):
    head_teacher = factories.make_teacher(school, "班主任李老师")
    pupil = factories.make_student(school, factories.make_classroom(school, head_teacher), "王小明")
    record = _returned(head_teacher.user, pupil, clerk, "ST-COPYING-HOMEWORK")
    client.force_login(head_teacher.user)
    # Told by a notice, which leads to the record; the class page lists it with the reason.
    notice = Notice.objects.get(recipient=head_teacher.user)
    assert notice.url == reverse("record_detail", args=[record.pk]) and REASON in notice.body
    my_class = client.get(reverse("students:my_class")).content.decode()
    assert REASON in my_class and reverse("record_detail", args=[record.pk]) in my_class
    html = _page(client, record)
    assert REASON in html and _controls(html, record) == {"edit", "submit", "withdraw"}
    assert f"{reverse('students:my_class')}#proposed" in html  # the way back
    response = client.post(
        reverse("schools:edit_record", args=[record.pk]),
        {
            "item": record.item_id,
            "occurred_on": record.occurred_on.isoformat(),
            "description": "3月13日语文作业照抄同学。",
        },
    )
    assert response.status_code == 302
    client.post(reverse("record_submit", args=[record.pk]))
    record.refresh_from_db()
    assert (record.status, record.narrative, record.submitted_by) == (
        RecordStatus.SUBMITTED,
        "3月13日语文作业照抄同学。",
        head_teacher.user,
    )


def test_portal_pages_lead_back_where_the_user_came_from(client, head, teacher, clerk):
    record = _returned(head, teacher, clerk)
    client.force_login(head)
    html = _page(client, record)
    assert f'href="{reverse("schools:records")}"' in html  # the school's navigation and way back
    assert f'href="{reverse("schools:dashboard")}"' in html
    notices = client.get(reverse("notices")).content.decode()
    assert f'href="{reverse("schools:dashboard")}"' in notices
    client.force_login(teacher.user)
    own = factories.make_record(teacher, ITEM, by=clerk)
    assert f'href="{reverse("teachers:my_file")}"' in _page(client, own)


def test_the_teachers_file_offers_its_pdf(client, teacher):
    client.force_login(teacher.user)
    html = client.get(reverse("teachers:my_file")).content.decode()
    action = reverse("reports:teacher_file", args=[teacher.pk])
    assert f'action="{action}"' in html and "下载PDF档案" in html


def test_a_new_notice_is_new_on_the_first_visit_and_read_on_the_next(client, teacher, clerk):
    factories.make_record(teacher, ITEM, by=clerk)  # publishing writes the teacher a notice
    client.force_login(teacher.user)
    file_page = client.get(reverse("teachers:my_file")).content.decode()
    assert 'class="badge"' in file_page and ">1</span>" in file_page
    first = client.get(reverse("notices")).content.decode()
    assert 'class="unread"' in first and "新的信用记录已公布" in first
    assert Notice.objects.get(recipient=teacher.user).read_at is not None
    second = client.get(reverse("notices")).content.decode()
    assert 'class="unread"' not in second and "新的信用记录已公布" in second
    assert 'class="badge"' not in client.get(reverse("teachers:my_file")).content.decode()


def test_the_unread_count_is_one_query(client, teacher, clerk):
    factories.make_record(teacher, ITEM, by=clerk)
    client.force_login(teacher.user)
    client.get(reverse("teachers:my_file"))
    cache.clear()  # the page rendered, not served from the page cache
    with CaptureQueriesContext(connection) as counted:
        client.get(reverse("teachers:my_file"))
    reads = [q["sql"] for q in counted.captured_queries if "SELECT max(" not in q["sql"]]
    assert sum('"evaluations_notice"' in sql for sql in reads) == 1  # but the newest-rows lookup
