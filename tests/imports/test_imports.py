"""Imports with real files built here: xlsx as Excel/WPS write them, CSV in GB18030 and UTF-8
with a BOM, and the bad files people send. A bad file writes nothing."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from credit_registry.importing import run_import
from evaluations.models import CreditRecord, RecordStatus
from evaluations.records.resources import CreditRecordResource
from schools.models import School
from schools.resources import IntegrityActivityResource, SchoolResource
from students import services as student_services
from students.models import EnrolmentEvent, Student
from students.resources import StudentResource
from teachers.models import Degree, Posting, Teacher
from teachers.resources import TeacherResource
from tests import factories

TEACHER_HEADERS = [
    "身份证号",
    "姓名",
    "性别",
    "学校标识码",
    "任教学科",
    "职称",
    "学历",
    "学历证书编号",
    "毕业日期",
]


def xlsx(headers, rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv(headers, rows, encoding="gb18030") -> bytes:
    lines = [",".join(headers)] + [",".join(str(c) for c in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def to_full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in text)


def teacher_rows(school, n=3):
    return [
        [
            factories.valid_id_number(),
            f"教师{i}",
            "女",
            school.code,
            "语文",
            "一级教师",
            "本科",
            f"C{i:06d}",
            datetime.date(2010, 7, 1),
        ]
        for i in range(n)
    ]


def snapshot():
    return (
        School.objects.count(),
        Teacher.objects.count(),
        Posting.objects.count(),
        Degree.objects.count(),
        Student.objects.count(),
        CreditRecord.objects.count(),
    )


def test_teachers_from_xlsx_with_postings_and_degrees(bureau, school):
    rows = teacher_rows(school)
    report = run_import(
        resource_class=TeacherResource,
        raw=xlsx(TEACHER_HEADERS, rows),
        filename="教师.xlsx",
        by=bureau,
        dry_run=False,
    )
    assert report.ok and report.written and report.new == 3
    teacher = Teacher.objects.get(id_number=rows[0][0])
    assert teacher.school == school and teacher.title == "tier1"
    assert teacher.postings.get().school == school
    assert teacher.degrees.get().graduated_on == datetime.date(2010, 7, 1)


def test_reimporting_a_corrected_file_updates_instead_of_duplicating(bureau, school, other_school):
    rows = teacher_rows(school, 2)
    run_import(
        resource_class=TeacherResource,
        raw=xlsx(TEACHER_HEADERS, rows),
        filename="a.xlsx",
        by=bureau,
        dry_run=False,
    )
    rows[0][1] = "更正后姓名"
    rows[1][3] = other_school.code  # moved school
    preview = run_import(
        resource_class=TeacherResource,
        raw=xlsx(TEACHER_HEADERS, rows),
        filename="a.xlsx",
        by=bureau,
        dry_run=True,
    )
    assert (preview.new, preview.updated, preview.written) == (0, 2, False)
    assert not Teacher.objects.filter(name="更正后姓名").exists()
    report = run_import(
        resource_class=TeacherResource,
        raw=xlsx(TEACHER_HEADERS, rows),
        filename="a.xlsx",
        by=bureau,
        dry_run=False,
    )
    assert report.ok and Teacher.objects.count() == 2
    moved = Teacher.objects.get(id_number=rows[1][0])
    assert [p.school for p in moved.postings.order_by("id")] == [school, other_school]
    assert moved.postings.filter(end_date__isnull=True).count() == 1
    again = run_import(
        resource_class=TeacherResource,
        raw=xlsx(TEACHER_HEADERS, rows),
        filename="a.xlsx",
        by=bureau,
        dry_run=True,
    )
    assert again.unchanged == 2


def test_gb18030_csv_with_full_width_digits_and_spaces(bureau, school):
    number = factories.valid_id_number()
    messy = " " + to_full_width(number[:9]) + " " + number[9:].lower() + " "
    raw = csv(TEACHER_HEADERS[:4], [[messy, "张　三", "男", to_full_width(school.code)]])
    report = run_import(
        resource_class=TeacherResource, raw=raw, filename="教师.csv", by=bureau, dry_run=False
    )
    assert report.ok, report.problems
    assert Teacher.objects.get().id_number == number


def test_utf8_csv_with_bom(bureau, school):
    raw = csv(
        ["\ufeff学校标识码", "学校名称", "办学类型", "举办性质"],
        [["3509021234", "新建小学", "小学", "公办"]],
        "utf-8",
    )
    report = run_import(
        resource_class=SchoolResource, raw=raw, filename="学校.csv", by=bureau, dry_run=False
    )
    assert report.ok and School.objects.filter(code="3509021234", kind="primary").exists()


def test_students_with_classes_and_guardians(bureau, school):
    headers = [
        "学籍号",
        "姓名",
        "性别",
        "身份证号",
        "学校标识码",
        "年级",
        "班级",
        "入学年份",
        "监护人姓名",
        "监护人关系",
        "监护人电话",
    ]
    ids = [factories.valid_id_number(datetime.date(2012, 5, 1)) for _ in range(2)]
    rows = [
        [
            f"G{n}",
            f"学生{i}",
            "男",
            n,
            school.code,
            "七年级",
            "2班",
            2025,
            f"家长{i}",
            "母亲",
            "13900000000",
        ]
        for i, n in enumerate(ids)
    ]
    report = run_import(
        resource_class=StudentResource,
        raw=xlsx(headers, rows),
        filename="学生.xlsx",
        by=bureau,
        dry_run=False,
    )
    assert report.ok, report.problems
    student = Student.objects.get(student_number=f"G{ids[0]}")
    assert (student.classroom.name, student.classroom.grade) == ("2班", "七年级")
    assert student.guardians.get().name == "家长0"
    assert student.enrolments.get().event == "entered"
    assert student.birth_date == datetime.date(2012, 5, 1)


def test_imported_records_land_submitted_never_published(bureau, teacher):
    headers = ["教师身份证号", "事项代码", "发生日期", "事实陈述"]
    day = timezone.localdate() - datetime.timedelta(days=1)
    raw = xlsx(headers, [[teacher.id_number, "T-PAID-TUTORING", day, "家长举报"]])
    report = run_import(
        resource_class=CreditRecordResource, raw=raw, filename="记录.xlsx", by=bureau, dry_run=False
    )
    assert report.ok, report.problems
    record = CreditRecord.objects.get()
    assert record.status == RecordStatus.SUBMITTED and record.published_at is None
    assert record.recorded_by == bureau and record.points == -10


# --- bad files: a clear message each, and nothing written --------------------------------------


def _fails(raw, filename, resource=TeacherResource, by=None):
    before = snapshot()
    report = run_import(resource_class=resource, raw=raw, filename=filename, by=by, dry_run=False)
    assert not report.ok and not report.written
    assert snapshot() == before
    return " ".join(str(p) for p in report.problems)


def test_wrong_headers(bureau, school):
    text = _fails(xlsx(["编号", "名字"], [["1", "x"]]), "t.xlsx", by=bureau)
    assert "缺少必需的列" in text and "身份证号" in text


def test_duplicate_id_numbers_inside_the_file(bureau, school):
    rows = teacher_rows(school, 2)
    rows[1][0] = rows[0][0]
    text = _fails(xlsx(TEACHER_HEADERS, rows), "t.xlsx", by=bureau)
    assert "身份证号重复" in text and "第2行与第3行" in text


def test_bad_check_digit_names_row_and_column_and_writes_nothing_else(bureau, school):
    rows = teacher_rows(school, 3)
    good = rows[2][0]
    rows[2][0] = good[:-1] + ("0" if good[-1] != "0" else "1")
    text = _fails(xlsx(TEACHER_HEADERS, rows), "t.xlsx", by=bureau)
    assert "第4行「身份证号」" in text and "校验码" in text


def test_unknown_school_code(bureau, school):
    rows = teacher_rows(school, 1)
    rows[0][3] = "9999999999"
    text = _fails(csv(TEACHER_HEADERS, rows), "t.csv", by=bureau)
    assert "第2行「学校标识码」" in text and "9999999999" in text and "不存在" in text


def test_empty_files(bureau):
    assert "文件为空" in _fails(b"", "t.xlsx", by=bureau)
    assert "没有数据行" in _fails(xlsx(TEACHER_HEADERS, []), "t.xlsx", by=bureau)
    assert "没有数据行" in _fails(csv(TEACHER_HEADERS, []), "t.csv", by=bureau)


def test_non_excel_file_renamed_xlsx(bureau):
    text = _fails("这不是表格".encode() * 10, "教师.xlsx", by=bureau)
    assert "不是有效的Excel" in text
    assert "只支持" in _fails(b"%PDF-1.4", "教师.pdf", by=bureau)


def test_a_bad_last_row_leaves_the_good_rows_before_it_unwritten(bureau, school):
    rows = teacher_rows(school, 5)
    rows[4][2] = "未知"
    before = snapshot()
    report = run_import(
        resource_class=TeacherResource,
        raw=xlsx(TEACHER_HEADERS, rows),
        filename="t.xlsx",
        by=bureau,
        dry_run=False,
    )
    assert not report.ok and "第6行「性别」" in " ".join(map(str, report.problems))
    assert snapshot() == before


def test_the_command_imports_with_the_same_rules(bureau, school, tmp_path: Path, capsys):
    good = tmp_path / "教师.xlsx"
    good.write_bytes(xlsx(TEACHER_HEADERS, teacher_rows(school, 3)))
    call_command("import_data", "teachers", str(good), "--user", "bureau")
    assert Teacher.objects.count() == 3 and "新增3" in capsys.readouterr().out
    bad = tmp_path / "坏.xlsx"
    rows = teacher_rows(school, 1)
    rows[0][3] = "0000000000"
    bad.write_bytes(xlsx(TEACHER_HEADERS, rows))
    with pytest.raises(CommandError):
        call_command("import_data", "teachers", str(bad), "--user", "bureau")
    assert Teacher.objects.count() == 3
    with pytest.raises(CommandError):
        call_command("import_data", "teachers", str(good), "--user", factories.make_user().username)


@pytest.mark.parametrize(
    "value",
    [
        "2020-09-01",
        "2020/9/1",
        "2020.9.1",
        "2020年9月1日",
        "20200901",
        "２０２０－０９－０１",
        44075,
        datetime.datetime(2020, 9, 1, 0, 0),
    ],
)
def test_dates_in_the_shapes_people_type(value):
    from credit_registry.common.spreadsheets import FlexibleDateWidget

    assert FlexibleDateWidget().clean(value) == datetime.date(2020, 9, 1)


def test_unreadable_date_says_so():
    from credit_registry.common.spreadsheets import FlexibleDateWidget

    with pytest.raises(ValueError, match="无法识别"):
        FlexibleDateWidget().clean("九月一日")


ACTIVITY_HEADERS = [
    "学校标识码",
    "活动形式",
    "活动名称",
    "活动日期",
    "参加对象",
    "参加人数",
    "活动内容",
]


def test_activities_import_and_count_for_their_school(bureau, school):
    from schools.models import IntegrityActivity

    day = timezone.localdate() - datetime.timedelta(days=2)
    rows = [
        [school.code, "讲座", "诚信讲座", day, "全体学生", 600, "法治副校长主讲"],
        [school.code, "知识竞赛", "诚信知识竞赛", day, "八年级", "120", "班级代表队"],
    ]
    report = run_import(
        resource_class=IntegrityActivityResource,
        raw=xlsx(ACTIVITY_HEADERS, rows),
        filename="活动.xlsx",
        by=bureau,
        dry_run=False,
    )
    assert report.ok, report.problems
    assert set(IntegrityActivity.objects.values_list("kind", "participant_count")) == {
        ("lecture", 600),
        ("quiz", 120),
    }
    assert IntegrityActivity.objects.filter(recorded_by=bureau, school=school).count() == 2


def test_an_activity_file_with_one_bad_row_writes_nothing(bureau, school):
    from schools.models import IntegrityActivity

    future = timezone.localdate() + datetime.timedelta(days=5)
    rows = [
        [school.code, "讲座", "诚信讲座", timezone.localdate(), "全体学生", 600, "主讲"],
        [school.code, "讲座", "未来的讲座", future, "全体学生", 600, "主讲"],
    ]
    report = run_import(
        resource_class=IntegrityActivityResource,
        raw=xlsx(ACTIVITY_HEADERS, rows),
        filename="活动.xlsx",
        by=bureau,
        dry_run=False,
    )
    assert not report.ok and not IntegrityActivity.objects.exists()
    assert "活动日期不能晚于今天" in " ".join(str(p) for p in report.problems)


# --- values Excel and people mangle -------------------------------------------------------------


def test_an_id_number_excel_stored_as_a_number_is_refused_not_rounded(bureau, school):
    """3.50925196701019E+17: Excel kept 15 digits; the rounded number may even pass the check
    digit and be someone else's ID. It is refused with the way to fix the file."""
    real = next(n for s in range(10) if (n := factories.valid_id_number(serial=s))[-1] != "X")
    rows = teacher_rows(school, 2)
    rows[1][0] = float(real)  # what Excel keeps of an ID typed into a General column
    before = snapshot()
    report = run_import(
        resource_class=TeacherResource,
        raw=xlsx(TEACHER_HEADERS, rows),
        filename="t.xlsx",
        by=bureau,
        dry_run=False,
    )
    assert not report.written and snapshot() == before
    (problem,) = report.problems
    assert problem.row == 3 and problem.column == "身份证号"
    assert "Excel" in problem.message and "文本" in problem.message


def test_a_phone_or_school_code_stored_as_a_number_is_kept_exactly(bureau, school):
    headers = ["学校标识码", "学校名称", "办学类型", "举办性质", "联系电话", "在办"]
    rows = [[3509000123, "蕉城区新村小学", "小学", "公办", 13905931234, "是"]]
    report = run_import(
        resource_class=SchoolResource,
        raw=xlsx(headers, rows),
        filename="s.xlsx",
        by=bureau,
        dry_run=False,
    )
    assert report.ok, report.problems
    created = School.objects.get(code="3509000123")
    assert created.phone == "13905931234" and created.active is True


@pytest.mark.parametrize(
    ("value", "active"),
    [
        ("是", True),
        ("在办", True),
        ("√", True),
        ("Y", True),
        (1, True),
        ("TRUE", True),
        ("否", False),
        ("停办", False),
        ("×", False),
        ("n", False),
        (0, False),
        ("false", False),
    ],
)
def test_yes_and_no_as_clerks_write_them(bureau, school, value, active):
    headers = ["学校标识码", "学校名称", "办学类型", "举办性质", "在办"]
    existing = factories.make_school("蕉城区老街小学", active=not active)
    rows = [[existing.code, existing.name, "初级中学", "公办", value]]
    report = run_import(
        resource_class=SchoolResource,
        raw=xlsx(headers, rows),
        filename="s.xlsx",
        by=bureau,
        dry_run=False,
    )
    assert report.ok, report.problems
    existing.refresh_from_db()
    assert existing.active is active


def test_an_unknown_yes_or_no_is_refused_with_the_accepted_values(bureau, school):
    headers = ["学校标识码", "学校名称", "办学类型", "举办性质", "在办"]
    rows = [["3509000999", "蕉城区某小学", "小学", "公办", "大概"]]
    report = run_import(
        resource_class=SchoolResource,
        raw=xlsx(headers, rows),
        filename="s.xlsx",
        by=bureau,
        dry_run=False,
    )
    assert not report.written and not School.objects.filter(code="3509000999").exists()
    (problem,) = report.problems
    assert problem.column == "在办" and "是/否" in problem.message and "大概" in problem.message


def test_names_lose_the_spaces_people_type_inside_them(bureau, school):
    rows = teacher_rows(school, 3)
    rows[0][1] = " 王\u00a0芳 "
    rows[1][1] = "李\u3000 明"
    rows[2][1] = "Anna  Ｌｅｅ"
    report = run_import(
        resource_class=TeacherResource,
        raw=xlsx(TEACHER_HEADERS, rows),
        filename="t.xlsx",
        by=bureau,
        dry_run=False,
    )
    assert report.ok, report.problems
    names = set(Teacher.objects.values_list("name", flat=True))
    assert {"王芳", "李明", "Anna Lee"} <= names


# --- re-imports act like the portal -------------------------------------------------------------

STUDENT_HEADERS = ["学籍号", "姓名", "性别", "学校标识码", "年级", "班级", "入学年份"]


def _student_file(student, school, class_name="2班", name=None):
    row = [
        student.student_number,
        name or student.name,
        "男",
        school.code,
        "七年级",
        class_name,
        2025,
    ]
    return xlsx(STUDENT_HEADERS, [row])


def _import_students(raw, bureau):
    return run_import(
        resource_class=StudentResource, raw=raw, filename="学生.xlsx", by=bureau, dry_run=False
    )


def test_a_class_change_on_reimport_places_the_student_and_the_old_class_teacher_loses_the_file(
    client, bureau, school
):
    old_head = factories.make_teacher(school, "旧班主任")
    old_class = factories.make_classroom(school, head_teacher=old_head, name="1班")
    student = factories.make_student(school, old_class, name="陈小雨")
    client.force_login(old_head.user)
    assert client.get(reverse("students:file", args=[student.pk])).status_code == 200
    report = _import_students(_student_file(student, school, "2班"), bureau)
    assert report.ok and report.updated == 1, report.problems
    student.refresh_from_db()
    assert student.classroom.name == "2班"
    assert student.enrolments.filter(event=EnrolmentEvent.PLACED).count() == 1
    assert client.get(reverse("students:file", args=[student.pk])).status_code == 404


def test_a_school_change_on_reimport_is_a_transfer_with_its_history(bureau, school, other_school):
    student = factories.make_student(school, factories.make_classroom(school, name="1班"))
    report = _import_students(_student_file(student, other_school, "3班"), bureau)
    assert report.ok, report.problems
    student.refresh_from_db()
    assert student.school == other_school and student.classroom.school == other_school
    events = list(student.enrolments.order_by("pk").values_list("event", flat=True))
    assert events[-3:] == [
        EnrolmentEvent.TRANSFERRED_OUT,
        EnrolmentEvent.TRANSFERRED_IN,
        EnrolmentEvent.PLACED,
    ]


def test_a_frozen_file_refuses_a_reimported_change_and_keeps_its_name(bureau, school):
    student = factories.make_student(
        school, factories.make_classroom(school, name="2班"), name="毕业生"
    )
    student_services.graduate_student(by=bureau, student=student, on=timezone.localdate())
    report = _import_students(_student_file(student, school, "2班", name="改名了"), bureau)
    assert not report.written
    (problem,) = report.problems
    assert "档案已冻结" in problem.message and problem.row == 2
    student.refresh_from_db()
    assert student.name == "毕业生"


def test_a_degree_only_change_is_reported_as_an_update(bureau, school):
    rows = teacher_rows(school, 2)
    run_import(
        resource_class=TeacherResource,
        raw=xlsx(TEACHER_HEADERS, rows),
        filename="t.xlsx",
        by=bureau,
        dry_run=False,
    )
    rows[0][8] = datetime.date(2011, 7, 1)  # only the graduation date is corrected
    report = run_import(
        resource_class=TeacherResource,
        raw=xlsx(TEACHER_HEADERS, rows),
        filename="t.xlsx",
        by=bureau,
        dry_run=False,
    )
    assert (report.updated, report.unchanged) == (1, 1)
    degree = Degree.objects.get(teacher__id_number=rows[0][0])
    assert degree.graduated_on == datetime.date(2011, 7, 1)


def test_a_count_with_a_unit_is_a_cell_error_and_the_rows_other_errors_still_show(bureau, school):
    """「30人」 is refused in its own cell with the accepted form; the bad date beside it in the
    same row is reported too, and nothing is written."""
    from schools.models import IntegrityActivity

    rows = [[school.code, "讲座", "诚信讲座", "2026-13-01", "全体学生", "30人", "主讲"]]
    report = run_import(
        resource_class=IntegrityActivityResource,
        raw=csv(ACTIVITY_HEADERS, rows),
        filename="活动.csv",
        by=bureau,
        dry_run=False,
    )
    said = [str(p) for p in report.problems]
    assert not report.ok and not IntegrityActivity.objects.exists()
    assert any("参加人数" in p and "“30人”不是整数，请只填写数字" in p for p in said), said
    assert any("活动日期" in p and "2026-13-01" in p for p in said), said
    assert not any("decimal" in p or "class" in p for p in said), said


@pytest.mark.parametrize("value, count", [("３０", 30), (" 30 ", 30), (30.0, 30)])
def test_counts_as_people_type_them(bureau, school, value, count):
    from schools.models import IntegrityActivity

    day = timezone.localdate()
    rows = [[school.code, "讲座", "诚信讲座", day, "全体学生", value, "主讲"]]
    report = run_import(
        resource_class=IntegrityActivityResource,
        raw=xlsx(ACTIVITY_HEADERS, rows),
        filename="活动.xlsx",
        by=bureau,
        dry_run=False,
    )
    assert report.ok, report.problems
    assert IntegrityActivity.objects.get().participant_count == count


def test_a_preview_reads_only_and_opens_no_transaction(bureau, school):
    """A preview of any size never takes the database's write lock (on SQLite, another user's
    save would wait behind it): every statement it sends is a read."""
    rows = teacher_rows(school, 3)
    run_import(
        resource_class=TeacherResource,
        raw=xlsx(TEACHER_HEADERS, rows[:1]),
        filename="t.xlsx",
        by=bureau,
        dry_run=False,
    )
    with CaptureQueriesContext(connection) as queries:
        report = run_import(
            resource_class=TeacherResource,
            raw=xlsx(TEACHER_HEADERS, rows),
            filename="t.xlsx",
            by=bureau,
            dry_run=True,
        )
    assert (report.new, report.unchanged) == (2, 1)
    statements = [q["sql"].lstrip().split()[0].upper() for q in queries.captured_queries]
    assert statements and set(statements) == {"SELECT"}


def test_excel_unicode_text_utf16_with_tabs(bureau, school):
    """Excel's 「Unicode文本」 (and WPS's .txt) export: UTF-16 with a byte-order mark, columns
    separated by tabs."""
    rows = teacher_rows(school, 2)
    lines = ["\t".join(TEACHER_HEADERS[:4])] + ["\t".join(map(str, row[:4])) for row in rows]
    raw = ("\r\n".join(lines) + "\r\n").encode("utf-16")
    report = run_import(
        resource_class=TeacherResource, raw=raw, filename="教师.txt", by=bureau, dry_run=False
    )
    assert report.ok, report.problems
    assert sorted(Teacher.objects.values_list("name", flat=True)) == sorted(r[1] for r in rows)
