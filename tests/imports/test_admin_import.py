"""Import and export in the admin site: template, preview, confirm, errors, scope."""

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
    sheet = load_workbook(io.BytesIO(response.content)).active
    headers = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert {"身份证号", "姓名", "学校标识码"} <= set(headers)


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
    as_xlsx = client.post(
        reverse("admin:teachers_teacher_export"), {"format": "0", "resource": "0", **fields}
    )
    assert "教师-2026-03-16.xlsx" in unquote(as_xlsx["Content-Disposition"])
    workbook = load_workbook(io.BytesIO(as_xlsx.content))
    assert workbook.sheetnames == ["教师"]
