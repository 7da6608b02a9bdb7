"""PDF typesetting of the four reports, each next to floors of the same page count.

    DATABASE_URL=postgres://root@127.0.0.1:5432/credit_registry_district .venv/bin/python bench/pdf_bench.py

Run on a district built with ``manage.py seed_district``. For each kind of report, the median
and the busiest subject (by credit records for the teacher's and the student's files, by teachers
for the school report; the district report has one subject) is issued exactly as the report
pages issue it (verification code, QR code, hash stored), inside a transaction that is rolled
back, so the database is left as it was.

Two floors are typeset for every document, with the same page count, font, page size and
margins: plain paragraphs, and one simple table. The ratios compare the document's typesetting
(WeasyPrint layout and drawing, the part the markup decides) with them; the whole issue adds the
data, the template, the QR code and the hash. Each run issues the document and then typesets
both floors, so a ratio compares runs made under the same load of the machine. Replaces the "PDF reports" section of
bench/RESULTS.md (``BENCH_WRITE=0`` prints the table only; ``BENCH_RUNS`` sets the runs).
"""

import os
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credit_registry.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402

from bench.results import stamp, write_section  # noqa: E402
from credit_registry.reports import data, documents, issue  # noqa: E402
from evaluations.models import CreditRecord  # noqa: E402
from schools.models import School  # noqa: E402
from students.models import Student  # noqa: E402
from teachers.models import Teacher  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", 3))
SECTION = "PDF reports"
BASE_URL = "http://127.0.0.1:8000"

FLOOR_PAGE = (
    "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><style>"
    "@page {{ size: A4; margin: 25mm 16mm 22mm 16mm; }}"
    "html {{ font-family: 'Registry Sans', sans-serif; font-size: 9.5pt; line-height: 1.55; }}"
    "table {{ width: 100%; border-collapse: collapse; }}"
    "td {{ border: 0.5pt solid #cbd2d9; padding: 1.2mm 1.6mm; }}"
    "</style></head><body>{body}</body></html>"
)
SENTENCE = "爱岗敬业，关爱学生，严谨治学，廉洁从教，为人师表，终身学习，依法执教，团结协作。"


def paragraphs(n: int) -> str:
    return "".join(f"<p>{i + 1}. {SENTENCE}{SENTENCE}</p>" for i in range(n))


def table(n: int) -> str:
    cells = "<td>2024-05-{:02d}</td><td>{}</td><td>{}</td><td>-2.00</td>"
    rows = "".join(
        "<tr>" + cells.format(i % 28 + 1, SENTENCE[:16], SENTENCE[16:]) + "</tr>" for i in range(n)
    )
    return f"<table>{rows}</table>"


def floor_html(blocks, n: int) -> str:
    return FLOOR_PAGE.format(body=blocks(n))


def floor_of(blocks, pages: int) -> tuple[str, int]:
    """The HTML of ``blocks`` sized to ``pages`` pages, and the pages it takes."""
    n = 40
    for _ in range(6):
        got = documents.typeset(floor_html(blocks, n)).pages
        if got == pages:
            break
        n = max(1, round(n * pages / got) - (1 if got > pages else 0))
    return floor_html(blocks, n), got


def seconds(html: str) -> float:
    started = time.perf_counter()
    documents.typeset(html)
    return time.perf_counter() - started


@contextmanager
def timed_typesetting():
    """Time each call of ``documents.typeset`` while issuing: the layout and drawing alone."""
    spent, typeset = [], documents.typeset

    def timed(html, **options):
        started = time.perf_counter()
        try:
            return typeset(html, **options)
        finally:
            spent.append(time.perf_counter() - started)

    documents.typeset = timed
    try:
        yield spent
    finally:
        documents.typeset = typeset


def ranked(column: str) -> list[int]:
    """Subjects with records, fewest first."""
    return list(
        CreditRecord.objects.filter(**{f"{column}__isnull": False})
        .values(column)
        .annotate(n=Count("id"))
        .order_by("n", column)
        .values_list(column, flat=True)
    )


def median_and_busiest(pks: list[int]) -> list[tuple[str, int]]:
    return [("median", pks[len(pks) // 2]), ("busiest", pks[-1])]


def subjects(by) -> list[tuple[str, object]]:
    """(label, issue the PDF) of each document measured."""
    year = data.current_year()
    rows = []
    for which, pk in median_and_busiest(ranked("teacher")):
        teacher = Teacher.objects.get(pk=pk)
        n = CreditRecord.objects.filter(teacher=teacher).count()
        rows.append(
            (
                f"teacher's file, {which} ({n} records)",
                lambda t=teacher: issue.teacher_file_pdf(teacher=t, by=by, base_url=BASE_URL),
            )
        )
    for which, pk in median_and_busiest(ranked("student")):
        student = Student.objects.get(pk=pk)
        n = CreditRecord.objects.filter(student=student).count()
        rows.append(
            (
                f"student's file, {which} ({n} records)",
                lambda s=student: issue.student_file_pdf(student=s, by=by, base_url=BASE_URL),
            )
        )
    schools = list(
        School.objects.annotate(n=Count("teachers"))
        .order_by("n", "pk")
        .values_list("pk", flat=True)
    )
    for which, pk in median_and_busiest(schools):
        school = School.objects.annotate(n=Count("teachers")).get(pk=pk)
        rows.append(
            (
                f"school report, {which} ({school.n} teachers)",
                lambda s=school: issue.school_report_pdf(
                    school=s, year=year, by=by, base_url=BASE_URL
                ),
            )
        )
    rows.append(
        (
            "district report (the one district)",
            lambda: issue.district_report_pdf(year=year, by=by, base_url=BASE_URL),
        )
    )
    return rows


def measure(produce) -> dict:
    def issue_once() -> tuple[float, float, int]:
        with transaction.atomic(), timed_typesetting() as spent:
            started = time.perf_counter()
            pdf = produce()
            elapsed = time.perf_counter() - started
            transaction.set_rollback(True)
        return elapsed, sum(spent), pdf.document.pages

    pages = issue_once()[2]
    paragraph_html, paragraph_pages = floor_of(paragraphs, pages)
    table_html, table_pages = floor_of(table, pages)
    issued, typeset, paragraph_s, table_s = [], [], [], []
    for _ in range(RUNS):
        elapsed, spent, pages = issue_once()
        issued.append(elapsed)
        typeset.append(spent)
        paragraph_s.append(seconds(paragraph_html))
        table_s.append(seconds(table_html))
    return {
        "issue": statistics.median(issued),
        "typeset": statistics.median(typeset),
        "pages": pages,
        "paragraphs": statistics.median(paragraph_s),
        "paragraph_pages": paragraph_pages,
        "table": statistics.median(table_s),
        "table_pages": table_pages,
    }


def load() -> str:
    return " / ".join(f"{n:.2f}" for n in os.getloadavg())


def main() -> None:
    by = get_user_model().objects.filter(username="bureau").first()
    documents.typeset(floor_html(paragraphs, 10))  # fonts loaded once, as in a running worker
    load_before = load()
    rows = [(label, measure(produce)) for label, produce in subjects(by)]
    load_after = load()
    lines = [
        f"## {SECTION} — {stamp()} ({connection.vendor})\n",
        f"District: {Teacher.objects.count():,} teachers, {Student.objects.count():,} students, "
        f"{CreditRecord.objects.count():,} credit records. Each document issued as the report "
        f"pages issue it (code, QR, hash), rolled back; median of {RUNS} runs, seconds, fonts "
        "already loaded as in a running worker. *Typeset* is WeasyPrint's layout and drawing "
        "of the document; each floor is typeset with the same font, page size and margins to "
        "the same page count (a floor that cannot hit it exactly shows its own count). "
        f"Load average (1/5/15 min): {load_before} before, {load_after} after.\n",
        "| document | pages | whole issue s | typeset s | paragraphs floor s | table floor s "
        "| ÷ paragraphs | ÷ table |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, row in rows:
        para = f"{row['paragraphs']:.2f}" + (
            f" ({row['paragraph_pages']} p.)" if row["paragraph_pages"] != row["pages"] else ""
        )
        tab = f"{row['table']:.2f}" + (
            f" ({row['table_pages']} p.)" if row["table_pages"] != row["pages"] else ""
        )
        lines.append(
            f"| {label} | {row['pages']} | {row['issue']:.2f} | {row['typeset']:.2f} "
            f"| {para} | {tab} | {row['typeset'] / row['paragraphs']:.1f}× "
            f"| {row['typeset'] / row['table']:.1f}× |"
        )
    table_text = "\n".join(lines)
    print(table_text)
    if os.environ.get("BENCH_WRITE", "1") == "1":
        write_section(SECTION, table_text)


if __name__ == "__main__":
    main()
