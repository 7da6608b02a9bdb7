"""The district-wide annual recompute next to one SQL aggregate over the same rows.

    DATABASE_URL=postgres://root@127.0.0.1:5432/district_scale .venv/bin/python bench/recompute_bench.py

Run on a district built with ``manage.py seed_district``. The floor is the cheapest thing that
touches the same data: one GROUP BY summing the year's counting records per subject. The
recompute does that and more (every subject gets a result with its explanation, written back).
"""

import datetime
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

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from evaluations.assessment import recompute_year  # noqa: E402
from evaluations.models import COUNTING_STATUSES, CreditRecord, academic_year_of  # noqa: E402

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


def main() -> None:
    year = academic_year_of(timezone.localdate())
    rows = CreditRecord.objects.filter(year=year, status__in=COUNTING_STATUSES).count()
    total = CreditRecord.objects.count()
    recompute = [recompute_year(year=year) for _ in range(RUNS)]
    floor = [aggregate(year) for _ in range(RUNS)]
    seconds = statistics.median(r.seconds for r in recompute)
    floor_s = statistics.median(floor)
    lines = [
        f"\n## Annual recompute vs one SQL aggregate — {datetime.datetime.now():%Y-%m-%d %H:%M} ({connection.vendor})\n",
        f"District: {total:,} records in all; year {year}: {rows:,} counting records, "
        f"{recompute[0].subjects:,} subjects. Median of {RUNS} runs.\n",
        "| what | seconds | ratio |",
        "|---|---:|---:|",
        f"| recompute_year (every subject, explanation, written back) | {seconds:.2f} | {seconds / floor_s:.1f}× |",
        f"| one GROUP BY over the same rows (floor) | {floor_s:.3f} | 1× |",
    ]
    table = "\n".join(lines)
    print(table)
    with open(ROOT / "bench" / "RESULTS.md", "a", encoding="utf-8") as out:
        out.write(table + "\n")


if __name__ == "__main__":
    main()
