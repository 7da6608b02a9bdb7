"""The district-wide annual recompute next to one SQL aggregate over the same rows.

    DATABASE_URL=postgres://root@127.0.0.1:5432/district_scale .venv/bin/python bench/recompute_bench.py

Run on a district built with ``manage.py seed_district``. The floor is the cheapest thing that
touches the same data: one GROUP BY summing the year's counting records per subject. The
recompute does that and more (every subject gets a result with its explanation, written back).

Two recomputes are timed: the usual one, over results already there (only what changed is
written), and one from nothing (the year's results deleted first, inside a transaction that is
rolled back), whose results must be identical to the stored ones. Replaces the "Annual
recompute" section of bench/RESULTS.md.
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

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.results import stamp, write_section  # noqa: E402
from credit_registry.common.years import academic_year_of  # noqa: E402
from evaluations.assessment.scoring import DISTRICT_SUBJECTS, recompute_year  # noqa: E402
from evaluations.models import COUNTING_STATUSES, AssessmentResult, CreditRecord  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", 3))


def aggregate(year: int) -> float:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT school_id, teacher_id, student_id, SUM(points) FROM {CreditRecord._meta.db_table} "
            "WHERE year = %s AND status = ANY(%s) GROUP BY school_id, teacher_id, student_id",
            [year, list(COUNTING_STATUSES)],
        )
        cursor.fetchall()
    return time.perf_counter() - started


def aggregate_every_subject(year: int) -> float:
    """The same sum for every subject the recompute answers for (each school, posted teacher and
    enrolled student of the district, with or without records), in one statement: the rows a
    recompute must read whatever it writes."""
    records = CreditRecord._meta.db_table
    parts = []
    params: list = []
    for kind, (model, condition, value) in DISTRICT_SUBJECTS.items():
        parts.append(
            f"SELECT t.id, COALESCE(SUM(r.points), 0) FROM {model._meta.db_table} t "
            f"LEFT JOIN {records} r ON r.{kind}_id = t.id AND r.year = %s AND r.status = ANY(%s) "
            f"WHERE t.{condition} GROUP BY t.id"
        )
        params += [year, list(COUNTING_STATUSES), value]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        cursor.fetchall()
    return time.perf_counter() - started


def fingerprint(year: int) -> str:
    """A digest of the year's results: subjects, scores, grades and explanations."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT md5(string_agg(concat_ws('|', school_id, teacher_id, student_id, policy_id, "
            "record_score, evaluation_score, total_score, grade, vetoed, explanation::text), ',' "
            "ORDER BY school_id, teacher_id, student_id)) "
            f"FROM {AssessmentResult._meta.db_table} WHERE year_id = %s",
            [year],
        )
        return cursor.fetchone()[0]


def from_nothing(year: int) -> tuple[float, bool]:
    """Recompute with no results there yet; rolled back. (seconds, identical to stored?)"""
    stored = fingerprint(year)
    with transaction.atomic():
        AssessmentResult.objects.filter(year_id=year).delete()
        seconds = recompute_year(year=year).seconds
        same = fingerprint(year) == stored
        transaction.set_rollback(True)
    return seconds, same


def main() -> None:
    year = academic_year_of(timezone.localdate())
    rows = CreditRecord.objects.filter(year=year, status__in=COUNTING_STATUSES).count()
    total = CreditRecord.objects.count()
    before = fingerprint(year)
    recompute = [recompute_year(year=year) for _ in range(RUNS)]
    unchanged = fingerprint(year) == before
    scratch = [from_nothing(year) for _ in range(RUNS)]
    floor = [aggregate(year) for _ in range(RUNS)]
    seconds = statistics.median(r.seconds for r in recompute)
    scratch_s = statistics.median(s for s, _ in scratch)
    identical = unchanged and all(same for _, same in scratch)
    floor_s = statistics.median(floor)
    every = statistics.median(aggregate_every_subject(year) for _ in range(RUNS))
    lines = [
        f"## Annual recompute vs one SQL aggregate — {stamp()} ({connection.vendor})\n",
        f"District: {total:,} records in all; year {year}: {rows:,} counting records, "
        f"{recompute[0].subjects:,} subjects. Median of {RUNS} runs. Shared machine (2 cores, "
        "other jobs running): figures are noisy.\n",
        "| what | seconds | ratio |",
        "|---|---:|---:|",
        f"| recompute_year over the stored results (only the difference is written) | {seconds:.2f} | {seconds / floor_s:.1f}× |",
        f"| recompute_year from nothing (every result written; rolled back) | {scratch_s:.2f} | {scratch_s / floor_s:.1f}× |",
        f"| one GROUP BY over the same rows (floor) | {floor_s:.3f} | 1× |",
        f"| the same sum for every subject of the district, one statement (second floor) "
        f"| {every:.3f} | {every / floor_s:.1f}× |",
        "",
        f"Against the second floor — the one statement that reads what a recompute must read, "
        f"every subject of the district — the recompute takes {seconds / every:.1f}× and the "
        f"recompute from nothing {scratch_s / every:.1f}×.",
        "",
        "Results (subjects, scores, grades, explanations) identical in every run: "
        + ("yes." if identical else "**NO**."),
    ]
    table = "\n".join(lines)
    print(table)
    write_section("Annual recompute", table)


if __name__ == "__main__":
    main()
