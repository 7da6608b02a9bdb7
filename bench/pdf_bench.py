"""PDF typesetting of the four reports, each next to floors of the same page count.

    DATABASE_URL=postgres://root@127.0.0.1:5432/credit_registry_district .venv/bin/python bench/pdf_bench.py

Run on a district built with ``manage.py seed_district``. For each kind of report, the median
and the busiest subject (by credit records for the teacher's and the student's files, by teachers
for the school report; the district report has one subject) is issued exactly as the report
pages issue it (verification code, QR code, hash stored), inside a transaction that is rolled
back, so the database is left as it was.

Two floors are typeset for every document, with the same page count, font, page size and
margins, both made of the document's own text (tags stripped, repeated as needed): plain
paragraphs, and one simple table. Own text, because what the font costs depends on the text: a
Chinese document of a few hundred distinct characters embeds a font subset several times the
size of one built from a single sentence repeated, and a floor that skips that cost is no floor
for a real document. The single-sentence paragraphs the issue first measured against are still
typeset and shown in the last column. The ratios compare the document's typesetting (WeasyPrint
layout and drawing, the part the markup decides) with the floors; the whole issue adds the data,
the template, the QR code and the hash. Typesetting is timed in CPU seconds of the process,
which a neighbour's load on a shared machine does not inflate; the whole issue in wall time.
Each run issues the document and then typesets the floors, so a ratio compares runs made under
the same load of the machine; each figure is the fastest of the runs, as ``timeit`` reports. Replaces the "PDF reports" section of bench/RESULTS.md
(``BENCH_WRITE=0`` prints the table only; ``BENCH_RUNS`` sets the runs).
"""

import html as html_lib
import os
import re
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
PARAGRAPH_CHARS = 80


def text_of(html: str) -> str:
    """The visible text of a document's HTML, without markup or white space."""
    body = re.sub(r"<head>.*?</head>", "", html, flags=re.S)
    return re.sub(r"\s+", "", html_lib.unescape(re.sub(r"<[^>]+>", "", body)))


def repeated(text: str, chars: int) -> str:
    return (text * (chars // len(text) + 1))[:chars]


def paragraphs(text: str):
    """Paragraphs of ``PARAGRAPH_CHARS`` characters of ``text``, numbered like a list."""

    def blocks(n: int) -> str:
        run = repeated(text, n * PARAGRAPH_CHARS)
        return "".join(
            f"<p>{i + 1}. {html_lib.escape(run[i * PARAGRAPH_CHARS : (i + 1) * PARAGRAPH_CHARS])}</p>"
            for i in range(n)
        )

    return blocks


def table(text: str):
    """One table of four columns (a date, two runs of ``text``, a score), a row a line."""

    def blocks(n: int) -> str:
        run = repeated(text, n * 32)
        cells = "<td>2024-05-{:02d}</td><td>{}</td><td>{}</td><td>-2.00</td>"
        rows = "".join(
            "<tr>"
            + cells.format(
                i % 28 + 1,
                html_lib.escape(run[i * 32 : i * 32 + 16]),
                html_lib.escape(run[i * 32 + 16 : (i + 1) * 32]),
            )
            + "</tr>"
            for i in range(n)
        )
        return f"<table>{rows}</table>"

    return blocks


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
    """CPU seconds of typesetting ``html``: WeasyPrint works on one thread, and CPU time leaves
    out what other work on the machine takes from it, which wall time on a shared virtual
    machine does not."""
    started = time.process_time()
    documents.typeset(html)
    return time.process_time() - started


@contextmanager
def timed_typesetting():
    """Time each call of ``documents.typeset`` while issuing (the layout and drawing alone, in CPU
    seconds as :func:`seconds`), and keep the HTML it was given."""
    spent, typeset = [], documents.typeset

    def timed(html, **options):
        started = time.process_time()
        try:
            return typeset(html, **options)
        finally:
            spent.append((time.process_time() - started, html))

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
    def issue_once() -> tuple[float, float, int, str]:
        with transaction.atomic(), timed_typesetting() as spent:
            started = time.perf_counter()
            pdf = produce()
            elapsed = time.perf_counter() - started
            transaction.set_rollback(True)
        return elapsed, sum(s for s, _ in spent), pdf.document.pages, spent[-1][1]

    _, _, pages, html = issue_once()
    text = text_of(html)
    floors = {
        "paragraphs": floor_of(paragraphs(text), pages),
        "table": floor_of(table(text), pages),
        "sentence": floor_of(paragraphs(SENTENCE), pages),
    }
    issued, typeset, floor_s = [], [], {name: [] for name in floors}
    for _ in range(RUNS):
        elapsed, spent, pages, _ = issue_once()
        issued.append(elapsed)
        typeset.append(spent)
        for name, (floor_html_text, _) in floors.items():
            floor_s[name].append(seconds(floor_html_text))
    row = {
        "issue": min(issued),
        "typeset": min(typeset),
        "pages": pages,
        "distinct": len(set(text)),
    }
    for name, (_, floor_pages) in floors.items():
        row[name] = min(floor_s[name])
        row[f"{name}_pages"] = floor_pages
    return row


def load() -> str:
    return " / ".join(f"{n:.2f}" for n in os.getloadavg())


def main() -> None:
    by = get_user_model().objects.filter(username="bureau").first()
    documents.typeset(
        floor_html(paragraphs(SENTENCE), 10)
    )  # fonts loaded once, as in a running worker
    load_before = load()
    rows = [(label, measure(produce)) for label, produce in subjects(by)]
    load_after = load()
    lines = [
        f"## {SECTION} — {stamp()} ({connection.vendor})\n",
        f"District: {Teacher.objects.count():,} teachers, {Student.objects.count():,} students, "
        f"{CreditRecord.objects.count():,} credit records. Each document issued as the report "
        f"pages issue it (code, QR, hash), rolled back; the fastest of {RUNS} runs (a slower run "
        "measures the machine's other work, not the typesetter), fonts already "
        "loaded as in a running worker. *Whole issue* is wall-clock seconds; *typeset* is "
        "WeasyPrint's layout and drawing of the document, in CPU seconds of the process like the "
        "floors (WeasyPrint runs on one thread; CPU time leaves out what other work on the "
        "machine takes). The floors are typeset with the same font, page size and margins to "
        "the same page count (a floor that cannot hit it exactly shows its own count), from the "
        "document's own text: plain paragraphs, and one table of four columns; the last column "
        f"divides by paragraphs of one repeated sentence ({len(set(SENTENCE))} distinct characters), "
        f"the floor the issue first used. Load average (1/5/15 min): {load_before} before, {load_after} after.\n",
        "| document | pages | distinct characters | whole issue s | typeset s "
        "| paragraphs floor s | table floor s | ÷ paragraphs | ÷ table | ÷ one-sentence paragraphs |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def floor(row, name):
        return f"{row[name]:.2f}" + (
            f" ({row[name + '_pages']} p.)" if row[name + "_pages"] != row["pages"] else ""
        )

    for label, row in rows:
        lines.append(
            f"| {label} | {row['pages']} | {row['distinct']} | {row['issue']:.2f} "
            f"| {row['typeset']:.2f} | {floor(row, 'paragraphs')} | {floor(row, 'table')} "
            f"| {row['typeset'] / row['paragraphs']:.1f}× | {row['typeset'] / row['table']:.1f}× "
            f"| {row['typeset'] / row['sentence']:.1f}× |"
        )
    table_text = "\n".join(lines)
    print(table_text)
    if os.environ.get("BENCH_WRITE", "1") == "1":
        write_section(SECTION, table_text)


if __name__ == "__main__":
    main()
