"""The admin index is the bureau's workbench: each queue's count is the number of rows its link
lists, the year is summed up, the annual cycle is laid out in order, and navigation is grouped
by task with the technical tables kept for superusers."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluations.clues import services as clue_services
from evaluations.disputes import services as dispute_services
from evaluations.models import ClueChannel, Objection, RecordStatus
from tests import factories


def _queues(html: str) -> dict[str, tuple[int, str]]:
    """The workbench's cards: label -> (count, link)."""
    cards = re.findall(
        r'<a href="([^"]+)">\s*<span class="wb-count" data-queue-count>(\d+)</span>\s*'
        r'<span class="wb-label">([^<]+)</span>',
        html,
    )
    return {label: (int(count), url.replace("&amp;", "&")) for url, count, label in cards}


@pytest.fixture
def busy_district(clock, bureau, inspector, school, teacher, other_teacher):
    """Two records to review, one to publish, one returned; three open objections (one due
    today, one overdue, one later); a repair waiting; clues new and assigned."""
    for _ in range(2):
        factories.make_record(teacher, "T-GIFTS", by=bureau, status=RecordStatus.SUBMITTED)
    factories.make_record(other_teacher, "T-GIFTS", by=bureau, status=RecordStatus.APPROVED)
    factories.make_record(school, "S-ARBITRARY-FEES", by=bureau, status=RecordStatus.RETURNED)
    objections = []
    for person in (teacher, other_teacher, teacher):
        record = factories.make_record(person, "T-GIFTS", by=bureau, status=RecordStatus.PUBLISHED)
        objections.append(
            dispute_services.file_objection(record=record, by=person.user, reason="不属实")
        )
    today = timezone.localdate()
    for objection, due in zip(objections, (0, -3, 20), strict=True):
        Objection.objects.filter(pk=objection.pk).update(
            due_on=today + datetime.timedelta(days=due)
        )
    clock.move_to(factories.NOW - datetime.timedelta(days=200))  # published long enough ago
    published = factories.make_record(
        other_teacher, "T-GIFTS", by=bureau, status=RecordStatus.PUBLISHED
    )
    clock.move_to(factories.NOW)
    dispute_services.apply_for_repair(
        record=published, by=other_teacher.user, proof_kind="training", proof="已参加培训"
    )
    clues = [
        clue_services.receive_clue(
            channel=ClueChannel.HOTLINE,
            subject_description=f"反映{n}",
            content="家长来电",
            by=bureau,
            school=school,
        )
        for n in range(3)
    ]
    clue_services.assign_clue(clue=clues[0], inspector=inspector, by=bureau)


def test_each_queue_count_is_the_number_of_rows_its_link_lists(client, bureau, busy_district):
    client.force_login(bureau)
    queues = _queues(client.get(reverse("admin:index")).content.decode())
    expected = {
        "待审核的信用记录": 2,
        "待公布的信用记录": 1,
        "处理中的异议": 3,
        "两个工作日内到期的异议": 1,
        "已超期的异议": 1,
        "待审批的信用修复申请": 1,
        "待分派的投诉举报线索": 2,
        "调查中的线索": 1,
        "正在生成的报告批次": 0,
    }
    assert {label: count for label, (count, _url) in queues.items()} == expected
    for label, (count, url) in queues.items():
        listing = client.get(url)
        assert listing.status_code == 200, url
        assert listing.context["cl"].result_count == count, label


def test_an_inspector_sees_only_their_own_queues(client, inspector, busy_district):
    client.force_login(inspector)
    html = client.get(reverse("admin:index")).content.decode()
    queues = _queues(html)
    assert set(queues) == {"调查中的线索", "被退回的信用记录"}
    assert queues["调查中的线索"][0] == 1
    assert "年度工作流程" not in html  # the annual cycle is the bureau's


def test_the_year_at_a_glance_and_the_annual_cycle(client, bureau, busy_district):
    client.force_login(bureau)
    html = client.get(reverse("admin:index")).content.decode()
    assert "2025—2026学年概况" in html  # 16 March 2026 lies in the 2025—2026 year
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "已提交 2 已审核 1" in text and "异议处理中 3" in text
    assert "在办学校1所，其中1所尚未提交学校自查" in text
    steps = re.findall(r'<span class="wb-step">(\d)\. ([^<]+)</span>', html)
    assert [int(number) for number, _label in steps] == list(range(1, 8))
    assert steps[0][1] == "开设学年并确定考核政策" and steps[-1][1] == "关闭学年"
    for name in ("reports:index", "public:red_list", "admin:schools_school_import"):
        assert reverse(name) in html


def test_navigation_is_grouped_by_task_in_the_bureaus_words(client, bureau, busy_district):
    client.force_login(bureau)
    html = client.get(reverse("admin:index")).content.decode()
    captions = re.findall(r"<caption>([^<]+)</caption>", html)
    assert captions == [
        "日常办理",
        "学校、教师和学生名册",
        "诚信建设",
        "诚信测评",
        "年度考核",
        "报告与文书",
        "设置与安全",
    ]
    for technical in ("账本链头", "证据材料", "认证和授权", "评价任务答卷"):
        assert technical not in html


def test_the_workbench_in_english(client, bureau, busy_district):
    client.force_login(bureau)
    client.post(reverse("set_language"), {"language": "en", "next": "/admin/"})
    html = client.get(reverse("admin:index")).content.decode()
    assert "Records to review" in html and "Annual cycle" in html
    assert "待审核的信用记录" not in html
