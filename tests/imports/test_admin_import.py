"""Import and export in the admin site: template, preview, confirm, errors, scope."""

import datetime
import io
from urllib.parse import unquote

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from teachers.models import Teacher
from tests import factories
from tests.imports.test_imports import TEACHER_HEADERS, teacher_rows, xlsx

IMPORT = "admin:teachers_teacher_import"


def test_template_has_the_chinese_headers(client, bureau):
    client.force_login(bureau)
    response = client.get(reverse("admin:teachers_teacher_import_template"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["教师", "填表说明"]
    headers = [cell.value for cell in next(workbook.active.iter_rows(max_row=1))]
    assert {"身份证号*", "姓名*", "学校标识码*", "任教学科", "学历证书编号"} <= set(headers)


def test_preview_then_confirm(client, bureau, school):
    client.force_login(bureau)
    upload = SimpleUploadedFile("教师.xlsx", xlsx(TEACHER_HEADERS, teacher_rows(school, 2)))
    preview = client.post(reverse(IMPORT), {"file": upload})
    body = preview.content.decode()
    assert preview.status_code == 200 and "确认导入" in body
    assert not Teacher.objects.exists()
    token = preview.context["token"]
    done = client.post(reverse(IMPORT), {"token": token}, follow=True)
    assert "新增2" in done.content.decode()
    assert Teacher.objects.count() == 2
    # the same token cannot be confirmed twice
    client.post(reverse(IMPORT), {"token": token})
    assert Teacher.objects.count() == 2


def test_bad_rows_are_listed_and_cannot_be_confirmed(client, bureau, school):
    client.force_login(bureau)
    rows = teacher_rows(school, 2)
    rows[1][3] = "1234567890"
    upload = SimpleUploadedFile("教师.xlsx", xlsx(TEACHER_HEADERS, rows))
    response = client.post(reverse(IMPORT), {"file": upload})
    body = response.content.decode()
    assert "<td>3</td>" in body  # the second data row is spreadsheet row 3
    assert "1234567890" in body and "不存在" in body
    assert 'name="token"' not in body and "token" not in response.context
    assert not Teacher.objects.exists()


def test_a_renamed_file_gets_a_message_not_a_500(client, bureau):
    client.force_login(bureau)
    upload = SimpleUploadedFile("教师.xlsx", b"not a spreadsheet at all")
    response = client.post(reverse(IMPORT), {"file": upload})
    assert response.status_code == 200
    assert "不是有效的Excel" in response.content.decode()


def test_only_bureau_admins_import_and_export(client, inspector):
    client.force_login(inspector)
    assert client.get(reverse(IMPORT)).status_code == 403
    assert client.get(reverse("admin:teachers_teacher_export")).status_code == 403


def test_export_escapes_formulas(client, bureau, school):
    factories.make_teacher(school, '=HYPERLINK("http://x")')
    client.force_login(bureau)
    response = client.post(
        reverse("admin:teachers_teacher_export"),
        {
            "format": "1",
            "resource": "0",
            **{f"teacherresource_{f}": "on" for f in ("id_number", "name", "school")},
        },
    )
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text


def test_exports_open_in_chinese_excel(client, bureau, school):
    """CSV with a byte-order mark, files and sheets named in Chinese with the date."""
    factories.make_teacher(school, "王芳")
    client.force_login(bureau)
    fields = {f"teacherresource_{f}": "on" for f in ("id_number", "name", "school")}
    as_csv = client.post(
        reverse("admin:teachers_teacher_export"), {"format": "1", "resource": "0", **fields}
    )
    assert as_csv.content.startswith("\ufeff".encode())
    assert "王芳" in as_csv.content.decode("utf-8-sig")
    assert "教师-2026-03-16.csv" in unquote(as_csv["Content-Disposition"])
    as_gb18030 = client.post(  # on request, for systems that read only GB18030
        reverse("admin:teachers_teacher_export"), {"format": "2", "resource": "0", **fields}
    )
    assert "gb18030" in as_gb18030["Content-Type"]
    assert (
        "王芳" in as_gb18030.content.decode("gb18030") and b"\xef\xbb\xbf" not in as_gb18030.content
    )
    as_xlsx = client.post(
        reverse("admin:teachers_teacher_export"), {"format": "0", "resource": "0", **fields}
    )
    assert "教师-2026-03-16.xlsx" in unquote(as_xlsx["Content-Disposition"])
    workbook = load_workbook(io.BytesIO(as_xlsx.content))
    assert workbook.sheetnames == ["教师"]


def _filled(template: bytes, rows: list[dict], *, notes_first=False, title=None) -> bytes:
    """The downloaded template filled in as a clerk would: rows under the header by column name;
    optionally the 填表说明 sheet moved first, or a title row typed above the header."""
    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook.worksheets[0]
    headers = [cell.value.rstrip("*") for cell in sheet[1]]
    for row in rows:
        sheet.append([row.get(h, "") for h in headers])
    if title:
        sheet.insert_rows(1)
        sheet["A1"] = title
    if notes_first:
        workbook.move_sheet("填表说明", offset=-1)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _student(school, number: str, **extra) -> dict:
    return {
        "学籍号": f"G{number}",
        "姓名": "林小雨",
        "性别": "女",
        "学校标识码": school.code,
        "年级": "七年级",
        "班级": "1班",
        "入学年份": 2026,
        "监护人姓名": "林建国",
        "监护人关系": "父亲",
        "监护人电话": "13800000000",
        **extra,
    }


def test_the_downloaded_student_template_filled_in_imports(client, bureau, school):
    """Download → fill → import: every column the import reads is in the template, required
    ones marked, the codes formatted as text, and a 填表说明 sheet that is not imported."""
    from students.models import Student

    client.force_login(bureau)
    template = client.get(reverse("admin:students_student_import_template"))
    workbook = load_workbook(io.BytesIO(template.content))
    assert workbook.sheetnames == ["学生", "填表说明"]
    headers = [cell.value for cell in workbook["学生"][1]]
    assert {"学籍号*", "年级*", "班级*", "入学年份*", "监护人姓名", "监护人电话"} <= set(headers)
    number_column = headers.index("学籍号*") + 1
    assert workbook["学生"].cell(row=2, column=number_column).number_format == "@"
    notes = {row[0]: row for row in workbook["填表说明"].iter_rows(values_only=True) if row}
    assert notes["性别"][1] == "必填" and "男" in notes["性别"][2]
    numbers = [factories.valid_id_number() for _ in range(2)]
    filled = _filled(template.content, [_student(school, n) for n in numbers], notes_first=True)
    preview = client.post(
        reverse("admin:students_student_import"),
        {"file": SimpleUploadedFile("学生.xlsx", filled)},
    )
    assert preview.status_code == 200 and "确认导入" in preview.content.decode(), preview.context
    token = preview.context["token"]
    done = client.post(reverse("admin:students_student_import"), {"token": token}, follow=True)
    assert "新增2" in done.content.decode()
    assert set(Student.objects.values_list("student_number", flat=True)) == {
        f"G{n}" for n in numbers
    }


def test_a_title_row_above_the_header_is_skipped_and_rows_keep_their_numbers(bureau, school):
    from credit_registry.importing import run_import
    from students.resources import StudentResource

    good, bad = factories.valid_id_number(), factories.valid_id_number()
    rows = [_student(school, good), _student(school, bad, 性别="未知")]
    filled = _filled(StudentResource.template(), rows, title="2026年秋季七年级新生名单")
    report = run_import(
        resource_class=StudentResource, raw=filled, filename="新生.xlsx", by=bureau, dry_run=True
    )
    # title row 1, header row 2, the rows 3 and 4: the bad one is named as Excel shows it
    assert [(p.row, p.column) for p in report.problems] == [(4, "性别")]


def test_a_preview_left_unconfirmed_expires_and_its_file_is_deleted(
    client, bureau, school, clock, settings, tmp_path
):
    """An upload holds personal data: a preview older than a day cannot be confirmed, and
    expired uploads are deleted, whether anyone comes back for them or not."""
    from django.core.files.storage import default_storage
    from django.core.management import call_command

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    client.force_login(bureau)

    def preview():
        upload = SimpleUploadedFile("教师.xlsx", xlsx(TEACHER_HEADERS, teacher_rows(school, 1)))
        return client.post(reverse(IMPORT), {"file": upload}).context["token"]

    def kept():
        return default_storage.listdir("imports")[1]

    returned_to = preview()
    preview()  # never confirmed
    assert len(kept()) == 2
    clock.shift(datetime.timedelta(hours=25))
    client.force_login(bureau)  # the next day, signed in again
    done = client.post(reverse(IMPORT), {"token": returned_to}, follow=True)
    assert "预览已过期" in done.content.decode() and not Teacher.objects.exists()
    fresh = preview()  # keeping a new upload sweeps the expired ones
    assert kept() == [fresh]
    clock.shift(datetime.timedelta(hours=25))
    call_command("purge_import_previews", stdout=io.StringIO())
    assert kept() == []
