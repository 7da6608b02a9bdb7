"""PDF reports: what each says (text extracted from the PDF), verification codes, batches made
by the background worker, and who may download what."""

import datetime
import hashlib
import io
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader, PdfWriter

from credit_registry.access import Role
from credit_registry.models import (
    AccessAction,
    AccessLog,
    BatchKind,
    BatchStatus,
    IssuedDocument,
    ReportBatch,
)
from credit_registry.report_tasks import start_batch
from credit_registry.reports import charts, data, issue
from credit_registry.reports.documents import Verdict, code_in_pdf, verify_document
from evaluations.assessment import services as assessment_services
from evaluations.assessment.scoring import recompute_year
from evaluations.disputes import services as dispute_services
from evaluations.schoolwork.services import record_activity
from teachers.models import Degree, DegreeLevel, Posting, VerificationStatus
from tests import factories

YEAR = factories.YEAR
BASE = "https://credit.example.gov.cn"

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def district(bureau, school, other_school, teacher, other_teacher):
    """A small district with a year's published history and computed results."""
    assessment_services.ensure_year(year=YEAR)
    teacher.phone = "13905931234"
    teacher.subject = "语文"
    teacher.save()
    Posting.objects.create(
        teacher=teacher, school=school, post="语文教师", start_date=datetime.date(2012, 9, 1)
    )
    Degree.objects.create(
        teacher=teacher,
        level=DegreeLevel.BACHELOR,
        institution="福建师范大学",
        major="汉语言文学",
        certificate_number="103941201205001234",
        verification_status=VerificationStatus.VERIFIED,
    )
    factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    factories.make_record(teacher, "T-ETHICS-COMMENDATION", by=bureau)
    objected = factories.make_record(other_teacher, "T-GIFTS", by=bureau)
    dispute_services.file_objection(record=objected, by=other_teacher.user, reason="事实有误")
    classroom = factories.make_classroom(school, head_teacher=teacher)
    student = factories.make_student(school, classroom, name="李小明")
    factories.make_record(student, "ST-EXAM-CHEATING", by=bureau)
    factories.make_record(school, "S-ARBITRARY-FEES", by=bureau)
    far = factories.make_teacher(other_school, "陈老师")
    factories.make_record(far, "T-CORPORAL-PUNISHMENT", by=bureau)
    recompute_year(year=YEAR)
    return {"student": student, "far": far, "objected": objected}


# --- what the PDFs say -------------------------------------------------------------------------


def test_teacher_file_names_the_teacher_scores_records_and_chain(district, bureau, teacher):
    pdf = issue.teacher_file_pdf(teacher=teacher, by=bureau, base_url=BASE)
    text = pdf_text(pdf.content)
    assert "教师师德诚信档案" in text and "王老师" in text and "蕉城第一中学" in text
    assert teacher.masked_id_number in text and teacher.id_number not in text
    assert "139****1234" in text and "13905931234" not in text
    assert "福建师范大学" in text and "核查通过" in text
    assert "有偿补课" in text and "-10.00" in text and "师德典型表彰" in text
    assert "95.00" in text  # 100 − 10 + 5, the year's score
    assert "已公布" in text and "公布" in text  # status and its chain
    assert pdf.document.display_code in text
    assert pdf.document.pages == len(PdfReader(io.BytesIO(pdf.content)).pages)


def test_student_file_for_graduation_and_transfer(district, bureau):
    student = district["student"]
    pdf = issue.student_file_pdf(student=student, by=bureau, base_url=BASE)
    text = pdf_text(pdf.content)
    assert "学生诚信档案" in text and "李小明" in text and student.masked_student_number in text
    assert student.student_number not in text
    assert student.masked_id_number in text and student.id_number not in text
    assert "考试作弊" in text and "95.00" in text
    # The public description of the document never names the minor.
    assert "李" not in pdf.document.subject_description


def test_school_report_has_the_schools_result_and_records(district, bureau, school):
    pdf = issue.school_report_pdf(school=school, year=YEAR, by=bureau, base_url=BASE)
    text = pdf_text(pdf.content)
    assert "学校年度诚信报告" in text and "蕉城第一中学" in text and school.code in text
    assert "乱收费" in text and "90.00" in text  # 100 − 10
    assert "有偿补课" in text  # its teachers' records are counted


def test_district_report_has_figures_lists_and_charts(district, bureau, school):
    record_activity(
        by=bureau,
        school=school,
        kind="quiz",
        title="诚信知识竞赛",
        held_on=timezone.localdate(),
        participants="八年级学生",
        participant_count=200,
        description="班级代表队参赛。",
    )
    pdf = issue.district_report_pdf(year=YEAR, by=bureau, base_url=BASE)
    text = pdf_text(pdf.content)
    assert "蕉城区" in text and "教育系统信用体系建设年度报告" in text
    assert "在岗教师" in text and "有偿补课" in text and "体罚或变相体罚学生" in text
    # The black list: teachers counted per school and reason, never named. One line per school,
    # its fields set apart by widened spaces (which the text extraction may count twice).
    line = " ".join(text.split())
    assert "失信黑名单 1 项" in text and "蕉城第二中学 1 体罚或变相体罚学生 1" in line
    assert "陈老师" not in text and "陈*师" not in text
    assert "李小明" not in text  # never a student
    assert "本学年开展诚信教育活动 1 次，参与 200 人次" in text and "诚信知识竞赛" in text
    context = data.district_report(YEAR)
    figures = {f.label: f.current for f in context["figures"]}
    assert figures["在岗教师"] == 3 and figures["公布失信记录"] == 5


def test_district_report_names_black_listed_schools_and_sums_up_teachers(district, bureau, school):
    factories.make_record(school, "S-ILLEGAL-OPERATION", by=bureau)
    for name in ("甲老师", "乙老师"):
        far = factories.make_teacher(school, name)
        factories.make_record(far, "T-CORPORAL-PUNISHMENT", by=bureau)
    context = data.district_report(YEAR)
    assert context["black_count"] == 4
    assert [(e.name, e.reason) for e in context["black_schools"]] == [
        ("蕉城第一中学", "无证或严重违法违规办学")
    ]
    rows = {row.school: (row.count, row.reasons) for row in context["black_teachers"]}
    assert rows == {
        "蕉城第一中学": (2, [("体罚或变相体罚学生", 2)]),
        "蕉城第二中学": (1, [("体罚或变相体罚学生", 1)]),
    }
    assert str(context["violations_chart"]).startswith("<svg")


def test_district_report_compares_the_year_so_far_with_the_same_months_last_year(
    bureau, school, teacher
):
    """Mid-year (16 March) the previous year counts 1 September to 16 March too: a whole year
    against six months would show a fall that did not happen."""
    assessment_services.ensure_year(year=YEAR - 1)
    assessment_services.ensure_year(year=YEAR)
    factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)  # this year
    for day in (datetime.date(2024, 10, 8), datetime.date(2025, 3, 16)):  # same months
        factories.make_record(teacher, "T-GIFTS", by=bureau, occurred_on=day)
    for day in (datetime.date(2025, 3, 17), datetime.date(2025, 6, 2)):  # later last year
        factories.make_record(school, "S-DISCLOSURE", by=bureau, occurred_on=day)
    context = data.district_report(YEAR)
    period = context["period"]
    assert not period.complete
    assert period.current_label == "2025—2026学年（9月1日至3月16日）"
    assert period.previous_label == "2024—2025学年同期（9月1日至3月16日）"
    figures = {f.label: f for f in context["figures"]}
    negatives = figures["公布失信记录"]
    assert (negatives.current, negatives.previous) == (1, 2)
    assert negatives.change == "-1（-50.0%）"
    assert {v["name"]: v["previous"] for v in context["most_frequent"]} == {"有偿补课": 0}
    pdf = issue.district_report_pdf(year=YEAR, by=bureau, base_url=BASE)
    assert "同期" in pdf_text(pdf.content)


def test_district_report_of_a_finished_year_compares_whole_years(bureau, school, teacher):
    assessment_services.ensure_year(year=YEAR - 1)
    for day in (datetime.date(2024, 10, 8), datetime.date(2025, 6, 2)):
        factories.make_record(teacher, "T-GIFTS", by=bureau, occurred_on=day)
    context = data.district_report(YEAR - 1)
    period = context["period"]
    assert period.complete and period.current_label == "2024—2025学年"
    assert period.previous_label == "2023—2024学年"
    assert {f.label: f.current for f in context["figures"]}["公布失信记录"] == 2


def test_charts_are_plain_svg_with_escaped_labels():
    svg = charts.paired_bars(
        [("<script>", 3, 1)], title="t", current_label="今年", previous_label="去年"
    )
    assert svg.startswith("<svg") and "<script>" not in svg and "&lt;script&gt;" in svg


# --- verification ------------------------------------------------------------------------------


def test_verification_round_trip_and_tampering(district, bureau, teacher):
    pdf = issue.teacher_file_pdf(teacher=teacher, by=bureau, base_url=BASE)
    document = pdf.document
    assert document.sha256 == hashlib.sha256(pdf.content).hexdigest()
    assert verify_document(code=document.display_code).verdict == Verdict.VALID
    assert verify_document(code=document.display_code, pdf=pdf.content).verdict == Verdict.VALID
    assert verify_document(pdf=pdf.content).verdict == Verdict.VALID
    assert verify_document(code=document.code.lower()).verdict == Verdict.VALID

    appended = pdf.content + b"\n% one more line\n"
    assert verify_document(code=document.display_code, pdf=appended).verdict == Verdict.ALTERED
    # An edited copy (here: re-saved with another title) is caught the same way.
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf.content)))
    writer.add_metadata({"/Title": "改过的档案"})
    buffer = io.BytesIO()
    writer.write(buffer)
    changed = buffer.getvalue()
    assert verify_document(code=document.display_code, pdf=changed).verdict == Verdict.ALTERED
    # Without the code, the code printed in the file finds the document it claims to be.
    assert code_in_pdf(changed) == document.display_code
    assert verify_document(pdf=changed).verdict == Verdict.ALTERED

    other = issue.teacher_file_pdf(teacher=teacher, by=bureau, base_url=BASE)
    assert verify_document(code=other.document.code, pdf=pdf.content).verdict == Verdict.ALTERED
    assert verify_document(code="ABCD-EFGH-JKMN").verdict == Verdict.UNKNOWN
    assert verify_document(code="bad").verdict == Verdict.UNKNOWN
    assert verify_document(pdf=b"%PDF-1.7 not really").verdict == Verdict.UNKNOWN


def test_qr_code_and_footer_carry_the_verification_address(district, bureau, teacher):
    pdf = issue.teacher_file_pdf(teacher=teacher, by=bureau, base_url=BASE)
    text = pdf_text(pdf.content)
    assert f"{BASE}/public/verify/?code={pdf.document.display_code}" in text.replace("\n", "")
    assert "第 1 页 / 共" in text


def test_failed_render_leaves_no_half_issued_document(district, bureau, teacher, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("renderer down")

    monkeypatch.setattr("credit_registry.reports.documents.render_pdf", broken)
    with pytest.raises(RuntimeError):
        issue.teacher_file_pdf(teacher=teacher, by=bureau, base_url=BASE)
    assert not IssuedDocument.objects.exists()


# --- batches in the background -----------------------------------------------------------------


def _zip_pdfs(batch: ReportBatch) -> dict[str, bytes]:
    with batch.zip_file.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n.endswith(".pdf")}


def test_school_batch_runs_to_the_end_with_one_pdf_per_teacher(
    district, bureau, school, settings, private_storage
):
    settings.TASKS = IMMEDIATE
    batch = start_batch(kind=BatchKind.SCHOOL_TEACHERS, school=school, by=bureau, base_url=BASE)
    batch.refresh_from_db()
    assert (batch.status, batch.total, batch.done) == (BatchStatus.DONE, 2, 2)
    assert batch.task_id
    pdfs = _zip_pdfs(batch)
    assert len(pdfs) == 2
    names = {pdf_text(content).split("\n")[0] for content in pdfs.values()}
    assert names  # every file is a readable PDF
    texts = " ".join(pdf_text(content) for content in pdfs.values())
    assert "王老师" in texts and "赵老师" in texts and "陈老师" not in texts
    for content in pdfs.values():
        assert verify_document(pdf=content).verdict == Verdict.VALID
    assert batch.documents.count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_district_batch_through_the_database_worker(settings, private_storage, monkeypatch):
    """The real path: the tasks are stored in the database and ``db_worker`` runs them — the
    plan, one task per part (here one teacher each, as several workers would share them), and
    the assembly queued by the last part."""
    monkeypatch.setattr("credit_registry.report_tasks.PART_SIZE", 1)
    bureau = factories.make_user("bureau-worker", role=Role.BUREAU_ADMIN)
    assessment_services.ensure_year(year=YEAR)
    schools = [factories.make_school(f"蕉城第{n}小学") for n in ("一", "二")]
    for school in schools:
        for n in (1, 2):
            factories.make_teacher(school, f"{school.name[2:4]}老师{n}")
    # (No published record here: SQLite's flush after a transactional test would hit the
    # ledger's no-delete trigger.)
    batch = start_batch(kind=BatchKind.DISTRICT_TEACHERS, by=bureau, base_url=BASE)
    assert ReportBatch.objects.get(pk=batch.pk).status == BatchStatus.QUEUED
    call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay")
    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.total) == (BatchStatus.DONE, 4, 4)
    assert batch.parts_done == batch.parts_total == 4
    pdfs = _zip_pdfs(batch)
    assert len(pdfs) == 4
    with batch.zip_file.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        manifest = archive.read("清单_manifest.csv").decode("utf-8-sig").splitlines()
    assert len(manifest) == 5 and all(row.split(",")[0] in pdfs for row in manifest[1:])
    parts = private_storage / "reports" / "batches" / "parts" / str(batch.pk)
    assert not parts.exists() or not any(parts.iterdir())  # part zips removed
    assert {name.split("/")[0] for name in pdfs} == {f"{s.code}_{s.name}" for s in schools}


def test_batch_admin_starts_shows_progress_and_serves_the_zip(
    client, district, bureau, school, settings, private_storage
):
    settings.TASKS = IMMEDIATE
    client.force_login(bureau)
    add = reverse("admin:credit_registry_reportbatch_add")
    assert client.get(add).status_code == 200
    response = client.post(add, {"kind": BatchKind.SCHOOL_TEACHERS, "school": school.pk})
    assert response.status_code == 302
    batch = ReportBatch.objects.get()
    assert batch.status == BatchStatus.DONE and batch.created_by == bureau
    listing = client.get(reverse("admin:credit_registry_reportbatch_changelist"))
    assert "2 / 2" in listing.content.decode()
    download = client.get(reverse("admin:credit_registry_reportbatch_download", args=[batch.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert sum(n.endswith(".pdf") for n in archive.namelist()) == 2
    # The access log has a line for each person's file in the zip.
    lines = AccessLog.objects.filter(user=bureau, action=AccessAction.DOWNLOAD_FILE_PDF)
    assert sorted(lines.values_list("subject_key", flat=True)) == sorted(
        batch.documents.values_list("subject_key", flat=True)
    )
    assert all(line.subject_key.startswith("teacher:") for line in lines) and lines.count() == 2


def test_a_school_batch_needs_a_school(client, bureau, settings):
    settings.TASKS = IMMEDIATE
    client.force_login(bureau)
    response = client.post(
        reverse("admin:credit_registry_reportbatch_add"), {"kind": BatchKind.SCHOOL_TEACHERS}
    )
    assert response.status_code == 200 and "请选择学校" in response.content.decode()
    assert not ReportBatch.objects.exists()


def test_only_the_bureau_runs_batches(principal, school):
    with pytest.raises(Exception, match="局机关"):
        start_batch(kind=BatchKind.SCHOOL_TEACHERS, school=school, by=principal, base_url=BASE)


# --- who may download what ---------------------------------------------------------------------


def test_teacher_downloads_own_file_only(client, district, teacher, other_teacher):
    client.force_login(teacher.user)
    own = client.post(reverse("reports:teacher_file", args=[teacher.pk]))
    assert own.status_code == 200 and own["Content-Type"] == "application/pdf"
    assert "attachment" in own["Content-Disposition"]
    assert IssuedDocument.objects.get().issued_by == teacher.user
    assert client.post(reverse("reports:teacher_file", args=[other_teacher.pk])).status_code == 404
    assert client.get(reverse("reports:teacher_file", args=[teacher.pk])).status_code == 405
    student = district["student"]  # a class teacher still may not issue student files
    assert client.post(reverse("reports:student_file", args=[student.pk])).status_code == 404
    assert client.post(reverse("reports:district_report"), {"year": YEAR}).status_code == 404


def test_principal_gets_own_school_only(client, district, principal, school, other_school):
    client.force_login(principal)
    far = district["far"]
    assert client.post(reverse("reports:teacher_file", args=[far.pk])).status_code == 404
    ok = client.post(reverse("reports:school_report"), {"school": school.pk, "year": YEAR})
    assert ok.status_code == 200
    other = client.post(reverse("reports:school_report"), {"school": other_school.pk, "year": YEAR})
    assert other.status_code == 404
    by_number = client.post(
        reverse("reports:student_lookup"), {"number": district["student"].student_number}
    )
    assert by_number.status_code == 200
    assert client.post(reverse("reports:district_report"), {"year": YEAR}).status_code == 404


def test_bureau_gets_the_district_report_and_the_index(client, district, bureau):
    client.force_login(bureau)
    assert client.get(reverse("reports:index")).status_code == 200
    # The district report takes over a second: always the background worker's (its job page
    # and download: tests/test_document_jobs.py).
    response = client.post(reverse("reports:district_report"), {"year": YEAR})
    assert response.status_code == 302 and "/reports/job/" in response["Location"]
    assert client.post(reverse("reports:district_report"), {"year": 1990}).status_code == 404
