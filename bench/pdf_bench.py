"""PDF render times of the four reports, next to a one-page PDF with the same fonts.

    DATABASE_URL=postgres://root@127.0.0.1:5432/credit_registry_district .venv/bin/python bench/pdf_bench.py

Run on a district built with ``manage.py seed_district``. Each report is issued exactly as the
report pages issue it (verification code, QR code, hash stored), inside a transaction that is
rolled back, so the database is left as it was. The subjects are the heaviest of their kind: the
teacher and the student with the most records, the school with the most teachers, and the whole
district. For each: the time to gather the data (queries), the time of the whole issue, the
pages, and the queries run. The floor is WeasyPrint typesetting one A4 page of Chinese text with
the same embedded font, measured in the same run. Replaces the "PDF reports" section of
bench/RESULTS.md.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credit_registry.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.results import stamp, write_section  # noqa: E402
from credit_registry.reports import data, issue  # noqa: E402
from credit_registry.reports.documents import font_face_css  # noqa: E402
from evaluations.models import CreditRecord  # noqa: E402
from schools.models import School  # noqa: E402
from students.models import Student  # noqa: E402
from teachers.models import Teacher  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", 3))
SECTION = "PDF reports"
BASE_URL = "http://127.0.0.1:8000"


def floor() -> float:
    """One A4 page of Chinese text, same font, no data: what WeasyPrint costs at the least."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    html = (
        f"<html><head><style>{font_face_css()} body {{ font-family: 'Noto Sans SC'; }}"
        "@page { size: A4; margin: 2cm; }</style></head><body>"
        "<h1>教师师德诚信档案</h1>"
        + "<p>爱岗敬业，关爱学生，廉洁从教，为人师表。</p>" * 20
        + "</body></html>"
    )
    started = time.perf_counter()
    HTML(string=html).render(font_config=FontConfiguration()).write_pdf()
    return time.perf_counter() - started


def busiest(column: str) -> int:
    return (
        CreditRecord.objects.filter(**{f"{column}__isnull": False})
        .values(column)
        .annotate(n=Count("id"))
        .order_by("-n", column)
        .values_list(column, flat=True)
        .first()
    )


def reports(by) -> list[tuple[str, object, object]]:
    """(label, gather the data, issue the PDF) of each report measured."""
    year = data.current_year()
    teacher = Teacher.objects.get(pk=busiest("teacher"))
    student = Student.objects.get(pk=busiest("student"))
    school = School.objects.annotate(n=Count("teachers")).order_by("-n", "pk").first()
    teacher_records = CreditRecord.objects.filter(teacher=teacher).count()
    student_records = CreditRecord.objects.filter(student=student).count()
    return [
        (
            f"teacher's file (the teacher with most records: {teacher_records})",
            lambda: data.teacher_file(teacher),
            lambda: issue.teacher_file_pdf(teacher=teacher, by=by, base_url=BASE_URL),
        ),
        (
            f"student's file (the student with most records: {student_records})",
            lambda: data.student_file(student),
            lambda: issue.student_file_pdf(student=student, by=by, base_url=BASE_URL),
        ),
        (
            f"school annual report (the largest school: {school.n} teachers)",
            lambda: data.school_report(school, year),
            lambda: issue.school_report_pdf(school=school, year=year, by=by, base_url=BASE_URL),
        ),
        (
            "district annual report",
            lambda: data.district_report(year),
            lambda: issue.district_report_pdf(year=year, by=by, base_url=BASE_URL),
        ),
    ]


def measure(gather, produce) -> dict:
    gathered, issued, pages, queries = [], [], 0, 0
    for _ in range(RUNS):
        with transaction.atomic():
            started = time.perf_counter()
            gather()
            gathered.append(time.perf_counter() - started)
            with CaptureQueriesContext(connection) as context:
                started = time.perf_counter()
                pdf = produce()
                issued.append(time.perf_counter() - started)
            pages, queries = pdf.document.pages, len(context.captured_queries)
            transaction.set_rollback(True)
    return {
        "data": statistics.median(gathered),
        "issue": statistics.median(issued),
        "pages": pages,
        "queries": queries,
    }


def main() -> None:
    by = get_user_model().objects.filter(username="bureau").first()
    floor()  # fonts loaded once, as in a running worker
    floors = [floor() for _ in range(RUNS)]
    floor_s = statistics.median(floors)
    rows = [(label, measure(gather, produce)) for label, gather, produce in reports(by)]
    lines = [
        f"## {SECTION} — {stamp()} ({connection.vendor})\n",
        f"District: {Teacher.objects.count():,} teachers, {Student.objects.count():,} students, "
        f"{CreditRecord.objects.count():,} credit records. Each report issued as the report "
        f"pages issue it (code, QR, hash), rolled back; median of {RUNS} runs, seconds, fonts "
        "already loaded as in a running worker.\n",
        "| report | pages | queries | data s | whole issue s | per page s | ÷ one-page floor |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| one A4 page of Chinese text, same font (floor) | 1 | 0 | — | {floor_s:.2f} "
        f"| {floor_s:.2f} | 1× |",
    ]
    for label, row in rows:
        lines.append(
            f"| {label} | {row['pages']} | {row['queries']} | {row['data']:.2f} "
            f"| {row['issue']:.2f} | {row['issue'] / row['pages']:.2f} "
            f"| {row['issue'] / floor_s:.1f}× |"
        )
    table = "\n".join(lines)
    print(table)
    write_section(SECTION, table)


if __name__ == "__main__":
    main()
