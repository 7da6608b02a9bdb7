"""Public pages: red and black lists, exemplars, the complaint-clue form and report verification.
Nothing of a student is ever public; teachers' names are masked; records under objection leave
the lists."""

import datetime
import io

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from credit_registry.reports import issue
from evaluations.assessment import services as assessment_services
from evaluations.clues import services as clue_services
from evaluations.disputes import services as dispute_services
from evaluations.models import (
    ClueChannel,
    ComplaintClue,
    LedgerAction,
    ObjectionStatus,
    RecordSource,
)
from evaluations.records import selectors as record_selectors
from evaluations.records import services as record_services
from tests import factories

YEAR = factories.YEAR


@pytest.fixture(autouse=True)
def _fresh_rate_limits(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def listed(bureau, school, teacher, other_teacher):
    """A severe record of a teacher (listed), one under objection (not listed), and a student's
    severe record and commendation (never listed)."""
    assessment_services.ensure_year(year=YEAR)
    factories.make_record(teacher, "T-PAPER-FRAUD", by=bureau)
    objected = factories.make_record(other_teacher, "T-CORPORAL-PUNISHMENT", by=bureau)
    dispute_services.file_objection(record=objected, by=other_teacher.user, reason="并非本人所为")
    student = factories.make_student(school, name="李小明")
    factories.make_record(student, "ST-DISCIPLINE-PROBATION", by=bureau)
    factories.make_record(student, "ST-INTEGRITY-STAR", by=bureau)
    return {"student": student, "objected": objected}


def test_black_list_masks_teachers_and_leaves_out_minors_and_objections(client, listed):
    body = client.get(reverse("public:black_list")).content.decode()
    assert "王*师" in body and "论文作假" in body
    assert "王老师" not in body
    assert "赵*师" not in body and "体罚或变相体罚学生" not in body  # under objection
    assert "李小明" not in body and "李*明" not in body and "留校察看" not in body


def test_red_list_never_shows_a_minor_or_a_subject_with_a_record_under_objection(
    client, bureau, school, teacher, other_teacher
):
    assessment_services.ensure_year(year=YEAR)
    student = factories.make_student(school, name="李小明")
    factories.make_record(student, "ST-INTEGRITY-STAR", by=bureau)
    factories.make_record(teacher, "T-ETHICS-COMMENDATION", by=bureau)
    factories.make_record(school, "S-COLLECTIVE-HONOUR", by=bureau)
    factories.make_record(other_teacher, "T-ETHICS-COMMENDATION", by=bureau)
    objected = factories.make_record(other_teacher, "T-GIFTS", by=bureau)
    dispute_services.file_objection(record=objected, by=other_teacher.user, reason="事实有误")
    # Commended and graded A: 王老师 and the school; 赵老师 is commended too, but her negative
    # record under objection still counts (no A, not listed).
    assessment_services.close_year(year=YEAR, by=bureau)
    body = client.get(reverse("public:red_list")).content.decode()
    assert "王老师" in body and school.name in body  # commended adults by name
    assert "赵老师" not in body  # a negative record still under objection counts against her
    assert "李小明" not in body and "李*明" not in body


def test_red_list_before_any_closed_year_says_so(client, db):
    response = client.get(reverse("public:red_list"), {"year": "abc"})
    assert response.status_code == 200 and "尚无已结束考核的学年" in response.content.decode()


def commend(subject, bureau, code, office="蕉城区教育局", number="蕉教〔2026〕8号"):
    """A commendation proposed with the decision it rests on, published."""
    record = record_services.propose_record(
        by=bureau,
        subject=subject,
        item=factories.item(code),
        occurred_on=factories.TODAY - datetime.timedelta(days=3),
        narrative="表彰决定。",
        source=RecordSource.COMMENDATION,
        deciding_office=office,
        document_number=number,
    )
    record = record_services.approve_record(record=record, by=bureau)
    return record_services.publish_record(record=record, by=bureau)


def test_exemplars_name_commended_adults_never_students(client, bureau, school, teacher):
    commend(teacher, bureau, "T-ETHICS-COMMENDATION")
    factories.make_record(school, "S-COLLECTIVE-HONOUR", by=bureau)
    student = factories.make_student(school, name="李小明")
    factories.make_record(student, "ST-INTEGRITY-STAR", by=bureau)
    body = client.get(reverse("public:exemplars")).content.decode()
    assert "王老师" in body and "师德典型表彰" in body and "诚信集体表彰" in body
    assert "王*师" not in body
    assert "蕉城区教育局" in body and "蕉教〔2026〕8号" in body  # the decision, cited
    assert "李小明" not in body and "李*明" not in body and "诚信之星" not in body
    assert "暂无活动动态" in body


def test_exemplars_show_the_schools_activities_as_news(client, bureau, school):
    from django.utils import timezone

    from evaluations.schoolwork.services import record_activity

    record_activity(
        by=bureau,
        school=school,
        kind="lecture",
        title="诚信伴我成长主题讲座",
        held_on=timezone.localdate(),
        participants="七年级全体学生",
        participant_count=320,
        description="邀请法治副校长讲诚信。",
    )
    body = client.get(reverse("public:exemplars")).content.decode()
    assert "诚信伴我成长主题讲座" in body and school.name in body


def log_news(school, bureau, title="诚信伴我成长主题讲座", photos=()):
    from evaluations.schoolwork.services import record_activity

    return record_activity(
        by=bureau,
        school=school,
        kind="lecture",
        title=title,
        held_on=factories.TODAY,
        participants="七年级全体学生",
        participant_count=320,
        description="邀请法治副校长讲诚信。",
        photos=list(photos),
    )


def png(colour="red") -> SimpleUploadedFile:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, "PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


def test_an_activity_of_the_news_has_a_public_page_with_its_photos(
    client, bureau, school, settings, tmp_path
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    activity = log_news(school, bureau, photos=[png()])
    photo = activity.photos.get()
    news = client.get(reverse("public:exemplars")).content.decode()
    page_url = reverse("public:activity", args=[activity.pk])
    assert page_url in news
    body = client.get(page_url).content.decode()
    photo_url = reverse("public:activity_photo", args=[activity.pk, photo.pk])
    assert "邀请法治副校长讲诚信" in body and school.name in body and photo_url in body
    assert "bureau" not in body  # who logged it is not news
    response = client.get(photo_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_an_excluded_activity_leaves_the_news_with_its_photos(
    client, bureau, school, settings, tmp_path
):
    from evaluations.schoolwork.services import exclude_activity

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    activity = log_news(school, bureau, title="补拍的讲座", photos=[png()])
    photo = activity.photos.get()
    exclude_activity(activity=activity, by=bureau, reason="照片与活动不符")
    assert "补拍的讲座" not in client.get(reverse("public:exemplars")).content.decode()
    assert client.get(reverse("public:activity", args=[activity.pk])).status_code == 404
    photo_url = reverse("public:activity_photo", args=[activity.pk, photo.pk])
    assert client.get(photo_url).status_code == 404
    # A school still sees its own photo in the portal.
    client.force_login(bureau)
    assert (
        client.get(reverse("schools:activity_photo", args=[activity.pk, photo.pk])).status_code
        == 200
    )


def test_exemplar_under_objection_is_not_shown(client, bureau, teacher):
    record = factories.make_record(teacher, "T-ETHICS-COMMENDATION", by=bureau)
    dispute_services.file_objection(record=record, by=teacher.user, reason="表彰对象有误")
    assert "师德典型表彰" not in client.get(reverse("public:exemplars")).content.decode()


@pytest.mark.parametrize(
    ("page_name", "code"),
    [("public:black_list", "T-PAPER-FRAUD"), ("public:exemplars", "T-ETHICS-COMMENDATION")],
)
def test_a_public_list_is_counted_and_paged_by_the_database(
    client, bureau, school, monkeypatch, page_name, code
):
    from evaluations.public import views as public_views

    monkeypatch.setattr(public_views, "LIST_PAGE_SIZE", 2)
    for name in ("甲老师", "乙老师", "丙老师"):
        factories.make_record(factories.make_teacher(school, name), code, by=bureau)
    first = client.get(reverse(page_name)).context
    second = client.get(reverse(page_name), {"page": 2}).context
    assert first["count"] == 3 and first["page"].paginator.num_pages == 2
    shown = [e.name for e in first["page"].object_list + second["page"].object_list]
    masked = page_name == "public:black_list"  # positive lists name adults in full
    expected = ["丙*师", "乙*师", "甲*师"] if masked else ["丙老师", "乙老师", "甲老师"]
    assert sorted(shown) == expected  # each once, across the two pages
    assert "共 3 项" in client.get(reverse(page_name)).content.decode()


def test_black_list_cites_the_decision_and_keeps_names_masked(client, bureau, teacher):
    record = record_services.propose_record(
        by=bureau,
        subject=teacher,
        item=factories.item("T-PAPER-FRAUD"),
        occurred_on=factories.TODAY - datetime.timedelta(days=3),
        narrative="论文查重高度雷同。",
        deciding_office="蕉城区教育局",
        document_number="蕉教〔2026〕3号",
    )
    record_services.publish_record(
        record=record_services.approve_record(record=record, by=bureau), by=bureau
    )
    for page_name in ("public:black_list", "public:disclosure"):
        body = client.get(reverse(page_name)).content.decode()
        assert "王*师" in body and "王老师" not in body
        assert "蕉城区教育局" in body and "蕉教〔2026〕3号" in body


def test_red_list_cites_the_commendation_behind_each_entry(client, bureau, school, teacher):
    assessment_services.ensure_year(year=YEAR)
    commend(teacher, bureau, "T-ETHICS-COMMENDATION", number="蕉教〔2026〕11号")
    assessment_services.close_year(year=YEAR, by=bureau)
    body = client.get(reverse("public:red_list")).content.decode()
    assert "王老师" in body and "师德典型表彰" in body and "蕉教〔2026〕11号" in body


def test_a_published_decision_cannot_be_changed(bureau, teacher):
    from evaluations.models import CreditRecord, PublishedRecordError

    record = commend(teacher, bureau, "T-ETHICS-COMMENDATION")
    record.document_number = "蕉教〔2026〕99号"
    with pytest.raises(PublishedRecordError):
        record.save()
    with pytest.raises(PublishedRecordError):
        CreditRecord.objects.filter(pk=record.pk).update(document_number="x")


# --- one filter for every list -------------------------------------------------------------------


@pytest.fixture
def two_schools(bureau, school, other_school):
    """Commendations and severe records of teachers at two kinds of school, two years apart."""
    assessment_services.ensure_year(year=YEAR - 1)
    assessment_services.ensure_year(year=YEAR)
    other_school.kind = "primary"
    other_school.save()
    wang = factories.make_teacher(school, "王老师")
    liu = factories.make_teacher(other_school, "刘老师")
    for person in (wang, liu):
        factories.make_record(person, "T-ETHICS-COMMENDATION", by=bureau)
        factories.make_record(person, "T-PAPER-FRAUD", by=bureau)
    last_year = datetime.date(YEAR, 3, 2)
    factories.make_record(school, "S-COLLECTIVE-HONOUR", by=bureau, occurred_on=last_year)
    return {"wang": wang, "liu": liu}


def shown(client, page_name, **params):
    return [(e.kind, e.name) for e in client.get(reverse(page_name), params).context["page"]]


@pytest.mark.parametrize("page_name", ["public:black_list", "public:disclosure"])
def test_a_masked_list_is_searched_by_school_and_item_never_by_a_hidden_name(
    client, two_schools, page_name
):
    assert shown(client, page_name, q="第二中学") == [("teacher", "刘*师")]
    assert len(shown(client, page_name, q="论文作假")) == 2
    assert shown(client, page_name, q="王老师") == []  # the hidden name finds nothing
    assert shown(client, page_name, q="王") == []
    assert shown(client, page_name, school_kind="primary") == [("teacher", "刘*师")]
    assert shown(client, page_name, subject="school") == []
    assert shown(client, page_name, year=YEAR - 1) == []


def test_exemplars_are_searched_by_name_and_filtered_by_kind_and_year(client, two_schools, school):
    assert shown(client, "public:exemplars", q="王老师") == [("teacher", "王老师")]
    assert shown(client, "public:exemplars", subject="school") == [("school", school.name)]
    assert shown(client, "public:exemplars", year=YEAR - 1) == [("school", school.name)]
    assert shown(client, "public:exemplars", school_kind="primary") == [("teacher", "刘老师")]
    # Nonsense is left out, never an error page.
    response = client.get(reverse("public:exemplars"), {"year": "abc", "subject": "student"})
    assert response.status_code == 200 and len(response.context["page"].object_list) == 3


def test_filtered_pages_keep_the_filter_in_the_pager(client, bureau, school, monkeypatch):
    from evaluations.public import views as public_views

    monkeypatch.setattr(public_views, "LIST_PAGE_SIZE", 1)
    for name in ("甲老师", "乙老师"):
        factories.make_record(factories.make_teacher(school, name), "T-PAPER-FRAUD", by=bureau)
    body = client.get(reverse("public:black_list"), {"q": "第一中学"}).content.decode()
    assert "?q=%E7%AC%AC%E4%B8%80%E4%B8%AD%E5%AD%A6&amp;page=2" in body


def test_red_list_is_searched_by_name_and_filtered_within_its_year(
    client, bureau, school, other_school
):
    assessment_services.ensure_year(year=YEAR)
    other_school.kind = "primary"
    other_school.save()
    factories.make_record(
        factories.make_teacher(school, "王老师"), "T-ETHICS-COMMENDATION", by=bureau
    )
    factories.make_record(
        factories.make_teacher(other_school, "刘老师"), "T-ETHICS-COMMENDATION", by=bureau
    )
    factories.make_record(school, "S-COLLECTIVE-HONOUR", by=bureau)
    assessment_services.close_year(year=YEAR, by=bureau)
    assert len(shown(client, "public:red_list")) == 3
    assert shown(client, "public:red_list", q="王老师") == [("teacher", "王老师")]
    assert shown(client, "public:red_list", subject="school") == [("school", school.name)]
    assert shown(client, "public:red_list", school_kind="primary") == [("teacher", "刘老师")]
    body = client.get(reverse("public:red_list"), {"q": "无此人"}).content.decode()
    assert "没有符合查询条件的对象" in body


def test_exemplars_end_with_the_disclosure_period(bureau, teacher):
    from credit_registry.reports import data

    record = factories.make_record(teacher, "T-ETHICS-COMMENDATION", by=bureau)
    end = record.disclosure_ends_on()
    assert [e.honour for e in data.exemplars(end)] == ["师德典型表彰"]
    assert data.exemplars(end + datetime.timedelta(days=1)) == []


def test_list_pages_use_a_fixed_number_of_queries(client, bureau, school):
    def queries() -> int:
        cache.clear()  # rendered, not served from the shared cache
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("public:black_list")).status_code == 200
        return len(context.captured_queries)

    factories.make_record(factories.make_teacher(school, "甲老师"), "T-PAPER-FRAUD", by=bureau)
    one = queries()
    for name in ("乙老师", "丙老师", "丁老师"):
        factories.make_record(factories.make_teacher(school, name), "T-PAPER-FRAUD", by=bureau)
    assert queries() == one


# --- complaint clues ---------------------------------------------------------------------------

CLUE = {
    "subject_description": "某某培训学校",
    "content": "该机构在周末违规组织在校学生有偿补课，每人收费两千元。",
    "reporter_contact": "13800000000",
}


def test_public_clue_is_received_through_the_service(client, school):
    assert client.get(reverse("public:complaint")).status_code == 200
    response = client.post(reverse("public:complaint"), {**CLUE, "school": school.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("public:complaint_received")
    clue = ComplaintClue.objects.get()
    assert clue.channel == ClueChannel.PUBLIC and clue.school == school
    assert clue.created_by is None and clue.reporter_contact == "13800000000"


@pytest.mark.parametrize(
    "change",
    [
        {"content": "太短"},
        {"subject_description": ""},
        {"school": "999999"},
        {"website": "http://spam.example"},
    ],
)
def test_bad_clue_is_refused_and_writes_nothing(client, db, change):
    response = client.post(reverse("public:complaint"), {**CLUE, **change})
    assert response.status_code == 400
    assert not ComplaintClue.objects.exists()


def test_clue_form_is_rate_limited_per_address(client, db):
    for _ in range(5):
        assert client.post(reverse("public:complaint"), CLUE).status_code == 302
    response = client.post(reverse("public:complaint"), CLUE)
    assert response.status_code == 429 and "频繁" in response.content.decode()
    assert ComplaintClue.objects.count() == 5
    other = client.post(reverse("public:complaint"), CLUE, REMOTE_ADDR="203.0.113.9")
    assert other.status_code == 302  # another address has its own allowance


# --- report verification -----------------------------------------------------------------------


@pytest.fixture
def issued(bureau, teacher):
    assessment_services.ensure_year(year=YEAR)
    return issue.teacher_file_pdf(teacher=teacher, by=bureau, base_url="http://testserver")


def test_verify_page_by_code_as_the_qr_code_links(client, issued):
    response = client.get(reverse("public:verify"), {"code": issued.document.display_code})
    body = response.content.decode()
    assert response.status_code == 200 and "真实有效" in body
    assert "王*师" in body and "王老师" not in body  # the description is masked
    unknown = client.get(reverse("public:verify"), {"code": "2345-6789-ABCD"})
    assert "未找到该文书" in unknown.content.decode()


def test_verify_page_checks_an_uploaded_file(client, issued):
    url = reverse("public:verify")
    code = issued.document.display_code
    same = SimpleUploadedFile("a.pdf", issued.content, content_type="application/pdf")
    assert "真实有效" in client.post(url, {"code": code, "pdf": same}).content.decode()
    edited = SimpleUploadedFile("a.pdf", issued.content + b"%x\n", content_type="application/pdf")
    assert "已被改动" in client.post(url, {"code": code, "pdf": edited}).content.decode()
    alone = SimpleUploadedFile("a.pdf", issued.content + b"%x\n", content_type="application/pdf")
    assert "已被改动" in client.post(url, {"pdf": alone}).content.decode()


def test_verify_page_refuses_what_is_not_a_pdf(client, db):
    fake = SimpleUploadedFile("a.pdf", b"GIF89a....", content_type="application/pdf")
    response = client.post(reverse("public:verify"), {"pdf": fake})
    assert response.status_code == 400 and "PDF" in response.content.decode()
    empty = client.post(reverse("public:verify"), {})
    assert empty.status_code == 400 and "请输入验证码" in empty.content.decode()


def test_public_pages_need_no_login_and_link_each_other(client, db):
    for name in ("index", "red_list", "black_list", "exemplars", "complaint", "verify"):
        response = client.get(reverse(f"public:{name}"))
        assert response.status_code == 200, name
        assert reverse("public:verify") in response.content.decode()


# --- receipt numbers and progress --------------------------------------------------------------


def _png(name="现场.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _status(client, number, **extra):
    return client.post(reverse("public:complaint_status"), {"number": number}, **extra)


def test_a_clue_gets_an_unguessable_receipt_number_shown_once_received(client, db):
    response = client.post(reverse("public:complaint"), CLUE, follow=True)
    clue = ComplaintClue.objects.get()
    number = clue.receipt_number
    assert len(number) == 10 and set(number) <= set("23456789ABCDEFGHJKMNPQRSTUVWXYZ")
    body = response.content.decode()
    assert clue.display_receipt_number in body
    assert reverse("public:complaint_status") in body
    client.post(reverse("public:complaint"), CLUE)
    assert ComplaintClue.objects.exclude(pk=clue.pk).get().receipt_number != number


def test_progress_shows_the_stage_and_its_date_and_nothing_else(client, bureau, inspector, school):
    client.post(reverse("public:complaint"), {**CLUE, "reporter_name": "张三", "school": school.pk})
    clue = ComplaintClue.objects.get()
    typed = clue.display_receipt_number.lower().replace("-", " ")  # as a person may type it
    body = _status(client, typed).content.decode()
    assert ">已受理</h2>" in body and "自2026-03-16起" in body
    for private in ("张三", "13800000000", "某某培训学校", "有偿补课", school.name):
        assert private not in body
    assigned_on = factories.NOW + datetime.timedelta(days=2)
    with time_machine.travel(assigned_on, tick=False):
        clue_services.assign_clue(clue=clue, inspector=inspector, by=bureau)
    body = _status(client, clue.receipt_number).content.decode()
    assert ">已分派核查</h2>" in body and "自2026-03-18起" in body
    with time_machine.travel(assigned_on + datetime.timedelta(days=2), tick=False):
        clue_services.close_clue(
            clue=clue, by=inspector, substantiated=False, conclusion="查无实据"
        )
    body = _status(client, clue.receipt_number).content.decode()
    assert ">已办结</h2>" in body and "自2026-03-20起" in body and "查无实据" not in body


def test_a_wrong_number_is_told_and_counts_against_the_limit(client, db):
    wrong = _status(client, "23456-789AB")
    assert wrong.status_code == 400 and "未找到该受理编号" in wrong.content.decode()
    for _ in range(19):
        _status(client, "23456-789AB")
    client.post(reverse("public:complaint"), CLUE)  # the complaint form counts on its own
    right = ComplaintClue.objects.get().receipt_number
    refused = _status(client, right)
    assert refused.status_code == 429 and "频繁" in refused.content.decode()
    assert _status(client, right, REMOTE_ADDR="203.0.113.9").status_code == 200


def test_photos_are_checked_and_shown_to_the_bureau_only(
    client, bureau, inspector, private_storage
):
    response = client.post(reverse("public:complaint"), {**CLUE, "photos": [_png()]})
    assert response.status_code == 302
    clue = ComplaintClue.objects.get()
    photo = clue.photos.get()
    link = reverse("admin:evaluations_complaintclue_photo", args=[clue.pk, photo.pk])
    assert client.get(link).status_code == 302  # to the admin's login
    client.force_login(bureau)
    work = client.get(reverse("admin:evaluations_complaintclue_work", args=[clue.pk]))
    assert link in work.content.decode() and clue.display_receipt_number in work.content.decode()
    change = client.get(reverse("admin:evaluations_complaintclue_change", args=[clue.pk]))
    assert link in change.content.decode()
    shown = client.get(link)
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    client.force_login(inspector)  # not assigned to them
    assert client.get(link).status_code == 404


@pytest.mark.parametrize(
    "photos",
    [
        [SimpleUploadedFile("材料.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")],
        [SimpleUploadedFile("图.png", b"GIF89a\x01\x00", content_type="image/png")],
        "four",
    ],
)
def test_a_photo_that_is_no_image_or_one_too_many_is_refused_and_nothing_written(
    client, db, private_storage, photos
):
    photos = [_png(f"{n}.png") for n in range(4)] if photos == "four" else photos
    response = client.post(reverse("public:complaint"), {**CLUE, "photos": photos})
    assert response.status_code == 400
    body = response.content.decode()
    assert "只接受PNG或JPEG图片" in body or "最多上传3个文件" in body
    assert not ComplaintClue.objects.exists()
    assert not any(path.is_file() for path in private_storage.rglob("*"))


# --- verification after changes ----------------------------------------------------------------


def test_verify_tells_that_records_changed_after_the_document_was_issued(
    client, bureau, teacher, clock
):
    assessment_services.ensure_year(year=YEAR)
    record = factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    issued = issue.teacher_file_pdf(teacher=teacher, by=bureau, base_url="http://testserver")
    url = reverse("public:verify")
    code = issued.document.display_code
    unchanged = client.get(url, {"code": code}).content.decode()
    assert "真实有效" in unchanged and "出具后记录有变动" not in unchanged
    clock.move_to(factories.NOW + datetime.timedelta(days=4))
    objection = dispute_services.file_objection(record=record, by=teacher.user, reason="有误")
    body = client.get(url, {"code": code}).content.decode()
    assert "出具后记录有变动" not in body  # an objection alone changes no record
    dispute_services.decide_objection(
        objection=objection, by=bureau, outcome=ObjectionStatus.REVOKED, reason="经复查不属实"
    )
    body = client.get(url, {"code": code}).content.decode()
    assert "真实有效（按出具时的内容）" in body
    assert "出具后记录有变动：2026-03-20起有记录被撤销" in body
    same = SimpleUploadedFile("a.pdf", issued.content, content_type="application/pdf")
    assert "有记录被撤销" in client.post(url, {"code": code, "pdf": same}).content.decode()


def test_changes_after_follow_what_each_document_covers(bureau, school, teacher, other_school):
    issued_at = factories.NOW
    later = issued_at + datetime.timedelta(days=2)
    with time_machine.travel(later, tick=False):
        elsewhere = factories.make_teacher(other_school, "钱老师")
        factories.make_record(elsewhere, "T-GIFTS", by=bureau)
    for key, year in ((f"teacher:{teacher.pk}", None), (f"school:{school.pk}", YEAR)):
        assert record_selectors.changes_after(subject_key=key, year=year, after=issued_at) is None
    district = record_selectors.changes_after(
        subject_key=f"district:{YEAR}", year=YEAR, after=issued_at
    )
    assert district.since == later.date() and district.actions == (LedgerAction.PUBLISH,)
    with time_machine.travel(later, tick=False):
        factories.make_record(teacher, "T-GIFTS", by=bureau)
    school_changes = record_selectors.changes_after(
        subject_key=f"school:{school.pk}", year=YEAR, after=issued_at
    )
    assert school_changes.actions == (LedgerAction.PUBLISH,)
    last_year = record_selectors.changes_after(
        subject_key=f"school:{school.pk}", year=YEAR - 1, after=issued_at
    )
    assert last_year is None


# --- cached lists ------------------------------------------------------------------------------

LISTS = ("public:black_list", "public:disclosure", "public:exemplars", "public:red_list")


def test_a_decision_refreshes_every_cached_list_that_shows_it(
    client, bureau, school, teacher, django_capture_on_commit_callbacks
):
    """Anonymous visitors get the lists from the cache (what they are computed from is looked
    up, not the lists themselves), and every decision shows on every list at the next visit."""
    assessment_services.ensure_year(year=YEAR)
    other = factories.make_teacher(school, "陈老师")
    before = {name: client.get(reverse(name)).content.decode() for name in LISTS}
    for name in LISTS:
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse(name)).content.decode() == before[name]
        read = " ".join(q["sql"] for q in context.captured_queries)
        assert "evaluations_creditrecord" not in read and "assessmentresult" not in read, name

    with django_capture_on_commit_callbacks(execute=True):
        factories.make_record(other, "T-PAPER-FRAUD", by=bureau)
    for name in ("public:black_list", "public:disclosure"):
        assert "论文作假" not in before[name]
        assert "论文作假" in client.get(reverse(name)).content.decode(), name

    with django_capture_on_commit_callbacks(execute=True):
        commend(teacher, bureau, "T-ETHICS-COMMENDATION", number="蕉教〔2026〕11号")
    assert "王老师" not in before["public:exemplars"]
    assert "王老师" in client.get(reverse("public:exemplars")).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        assessment_services.close_year(year=YEAR, by=bureau)
    assert "蕉教〔2026〕11号" not in before["public:red_list"]
    assert "蕉教〔2026〕11号" in client.get(reverse("public:red_list")).content.decode()


def test_signed_in_visitors_are_never_served_a_shared_page(client, bureau, teacher):
    client.force_login(teacher.user)
    first = client.get(reverse("public:black_list"))
    with CaptureQueriesContext(connection) as context:
        assert client.get(reverse("public:black_list")).status_code == first.status_code == 200
    read = " ".join(q["sql"] for q in context.captured_queries)
    assert "evaluations_creditrecord" in read  # rendered for them, not taken from the cache
