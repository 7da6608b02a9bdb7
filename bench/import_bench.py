"""Import speed at district scale, next to its floor and its peer in the same run.

    DATABASE_URL=postgres://root@127.0.0.1:5432/credit_registry_bench .venv/bin/python bench/import_bench.py

Builds a 10,000-teacher .xlsx (with a posting and a degree each) and a 100,000-student GB18030
.csv (with classes and a guardian), and imports each through the same path as the admin site
and the import command (every check, all or nothing), each in a process of its own so that its
peak memory is measured. Then the floor: the same rows loaded with ``COPY`` into the same table
alone; and the peer: django-import-export's stock ``use_bulk`` import of the teacher table alone
(school ids given, cached instance loader), both rolled back. Prints a table and writes it into
bench/RESULTS.md. Needs PostgreSQL (COPY); the database is migrated if needed.
"""

import datetime
import io
import json
import os
import random
import resource as resource_module
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credit_registry.settings")
os.environ.setdefault("DATABASE_URL", "postgres://root@127.0.0.1:5432/credit_registry_bench")

import django  # noqa: E402
import tablib  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from bench.results import stamp, write_section  # noqa: E402
from credit_registry.access import Role, assign_role  # noqa: E402
from credit_registry.common.identity import id_check_char  # noqa: E402
from credit_registry.importing import run_import  # noqa: E402
from schools.models import School  # noqa: E402
from students.models import Student  # noqa: E402
from students.resources import StudentResource  # noqa: E402
from teachers.models import Teacher  # noqa: E402
from teachers.resources import TeacherResource  # noqa: E402

TEACHERS = int(os.environ.get("BENCH_TEACHERS", 10_000))
STUDENTS = int(os.environ.get("BENCH_STUDENTS", 100_000))
SCHOOLS = 150


def id_number(rng: random.Random, birth_year: int, serial: int) -> str:
    birth = datetime.date(birth_year, 1, 1) + datetime.timedelta(days=rng.randrange(365))
    first17 = f"350902{birth:%Y%m%d}{serial % 1000:03d}"
    return first17 + id_check_char(first17)


def unique_ids(rng, count, years):
    seen, out = set(), []
    serial = 0
    while len(out) < count:
        serial += 1
        number = id_number(rng, rng.randint(*years), serial)
        if number not in seen:
            seen.add(number)
            out.append(number)
    return out


def prepare() -> tuple[list[str], object]:
    if connection.vendor != "postgresql":
        sys.exit("This benchmark compares with COPY: set DATABASE_URL to a PostgreSQL database.")
    call_command("migrate", verbosity=0)
    Student.objects.all().delete()
    from students.models import Classroom, Enrolment, Guardian
    from teachers.models import Degree, Posting

    Guardian.objects.all().delete()
    Enrolment.objects.all().delete()
    Classroom.objects.all().delete()
    Degree.objects.all().delete()
    Posting.objects.all().delete()
    Teacher.objects.all().delete()
    School.objects.bulk_create(
        [
            School(code=f"{2135000000 + i}", name=f"基准学校{i}", kind="junior", ownership="public")
            for i in range(SCHOOLS)
        ],
        ignore_conflicts=True,
    )
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(username="bench-admin")
    assign_role(user, Role.BUREAU_ADMIN)
    return [s.code for s in School.objects.order_by("code")[:SCHOOLS]], user


def teacher_file(rng, codes) -> tuple[bytes, list[tuple]]:
    headers = ["身份证号", "姓名", "性别", "学校标识码", "任教学科", "职称", "学历", "学历证书编号"]
    rows = [
        (
            number,
            f"教师{i}",
            rng.choice("男女"),
            rng.choice(codes),
            "数学",
            "一级教师",
            "本科",
            f"B{i:08d}",
        )
        for i, number in enumerate(unique_ids(rng, TEACHERS, (1965, 2000)))
    ]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue(), rows


def student_file(rng, codes) -> tuple[bytes, list[tuple]]:
    headers = (
        "学籍号,姓名,性别,身份证号,学校标识码,年级,班级,入学年份,监护人姓名,监护人关系,监护人电话"
    )
    rows = [
        (
            f"G{number}",
            f"学生{i}",
            rng.choice("男女"),
            number,
            rng.choice(codes),
            "七年级",
            f"{rng.randint(1, 12)}班",
            2025,
            f"家长{i}",
            "母亲",
            "13900000000",
        )
        for i, number in enumerate(unique_ids(rng, STUDENTS, (2008, 2019)))
    ]
    text = headers + "\r\n" + "\r\n".join(",".join(map(str, r)) for r in rows) + "\r\n"
    return text.encode("gb18030"), rows


def copy_rows(table: str, columns: list[str], rows: list[tuple]) -> float:
    """COPY the same rows into the same table, then roll back: the floor for bulk loading."""
    started = time.perf_counter()
    with transaction.atomic():
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def child_import(kind: str, path: Path) -> dict:
    """Import one file in a process of its own (as the import command would), so its peak
    memory is the import's: seconds and peak resident memory."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_child(kind: str, path: str) -> None:
    from django.contrib.auth import get_user_model

    resource = {"teachers": TeacherResource, "students": StudentResource}[kind]
    user = get_user_model().objects.get(username="bench-admin")
    raw = Path(path).read_bytes()
    started = time.perf_counter()
    report = run_import(resource_class=resource, raw=raw, filename=path, by=user, dry_run=False)
    seconds = time.perf_counter() - started
    if not report.ok:
        sys.exit(f"import failed: {report.problems[:5]}")
    print(json.dumps({"seconds": seconds, "rows": report.total, "peak_mb": peak_memory_mb()}))


def peak_memory_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike getrusage's maxrss, not inherited
    from the parent that spawned it)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource_module.getrusage(resource_module.RUSAGE_SELF).ru_maxrss / 1024


def peer_import(teachers: list[tuple], school_ids: dict[str, int]) -> float:
    """django-import-export's own bulk import of the teacher table alone (no postings, degrees
    or history), with the school ids given and its cached instance loader; rolled back."""
    from import_export import resources
    from import_export.instance_loaders import CachedInstanceLoader

    class PeerTeacherResource(resources.ModelResource):
        class Meta:
            model = Teacher
            import_id_fields = ("id_number",)
            fields = ("id_number", "name", "gender", "school", "subject", "title")
            use_bulk = True
            batch_size = 1000
            skip_diff = True
            instance_loader_class = CachedInstanceLoader

    dataset = tablib.Dataset(
        *[(f"P{r[0][1:]}", r[1], "M", school_ids[r[3]], r[4], "tier1") for r in teachers],
        headers=["id_number", "name", "gender", "school", "subject", "title"],
    )
    started = time.perf_counter()
    with transaction.atomic():
        result = PeerTeacherResource().import_data(dataset, dry_run=False, use_transactions=False)
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    if result.has_errors() or result.has_validation_errors():
        sys.exit("the peer import failed")
    return seconds


def main() -> None:
    rng = random.Random(2019)
    codes, user = prepare()
    school_ids = dict(School.objects.values_list("code", "id"))
    raw_t, teachers = teacher_file(rng, codes)
    raw_s, students = student_file(rng, codes)
    folder = Path(tempfile.mkdtemp())
    (folder / "teachers.xlsx").write_bytes(raw_t)
    (folder / "students.csv").write_bytes(raw_s)

    teacher_run = child_import("teachers", folder / "teachers.xlsx")
    t_copy = copy_rows(
        "teachers_teacher",
        [
            "name",
            "gender",
            "id_number",
            "phone",
            "email",
            "school_id",
            "subject",
            "title",
            "post",
            "qualification_number",
        ],
        [
            (f"{r[1]}", "M", f"X{r[0][1:]}", "", "", school_ids[r[3]], r[4], "tier1", "", "")
            for r in teachers
        ],
    )
    t_peer = peer_import(teachers, school_ids)
    student_run = child_import("students", folder / "students.csv")
    s_copy = copy_rows(
        "students_student",
        [
            "name",
            "gender",
            "student_number",
            "id_number",
            "birth_date",
            "school_id",
            "status",
            "guardian_consent",
        ],
        [
            (
                r[1],
                "M",
                f"H{r[3]}",
                f"Y{r[3][1:]}",
                datetime.date(2012, 1, 1),
                school_ids[r[4]],
                "enrolled",
                False,
            )
            for r in students
        ],
    )
    load = os.getloadavg()[0]
    lines = [
        f"## Import vs COPY and the peer — {stamp()} ({connection.vendor})\n",
        "Each import runs the admin's and the command's path (every check, all or nothing: "
        "read, clean and validate every row, then write the rows, their history, postings and "
        "degrees or classes, entries and guardians in one transaction) in a process of its own; "
        "peak memory is that process's. The floor is `COPY` of the same rows into the same "
        "table alone; the peer is django-import-export's stock `use_bulk` import of the "
        f"teacher table alone (school ids given, cached loader). Load average at the end: {load:.2f}.\n",
        "| file | rows | import s | import rows/s | peak MB | COPY s (floor) | COPY rows/s "
        "| import ÷ COPY | peer s | peer rows/s | import ÷ peer |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, run, copy_seconds, peer in (
        ("10,000 teachers (.xlsx, with postings and a degree)", teacher_run, t_copy, t_peer),
        ("100,000 students (GB18030 .csv, with classes and a guardian)", student_run, s_copy, None),
    ):
        rows, seconds = run["rows"], run["seconds"]
        peer_cells = (
            f"{peer:.2f} | {rows / peer:,.0f} | {seconds / peer:.2f}×" if peer else "— | — | —"
        )
        lines.append(
            f"| {name} | {rows:,} | {seconds:.2f} | {rows / seconds:,.0f} | {run['peak_mb']:.0f} "
            f"| {copy_seconds:.2f} | {rows / copy_seconds:,.0f} | {seconds / copy_seconds:.1f}× "
            f"| {peer_cells} |"
        )
    table = "\n".join(lines)
    print(table)
    write_section("Import vs COPY and the peer", table)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        run_child(sys.argv[2], sys.argv[3])
    else:
        main()
