"""A district at full size for benchmarks and capacity planning: the demo district built at the
size given, then years of published history added in bulk until the ledger holds the target
number of records (about a million for a real district).

History follows what a registry really sees: most people never get a negative record, a few get
several (heavy-tailed), students and their conduct make up most rows, schools and teachers the
rest. Everything is published, chained in the ledger and verifiable; it is deterministic for a
seed.
"""

import datetime
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from credit_registry.common.years import academic_year_of
from credit_registry.demo import build_demo_district
from evaluations.assessment import services
from evaluations.assessment.scoring import recompute_year
from evaluations.models import CatalogItem, CreditRecord, RecordSource, RecordStatus, SubjectKind
from evaluations.records.ledger import append_publications_bulk
from schools.models import School
from students.models import Student
from teachers.models import Teacher

FULL_SIZE = {"schools": 150, "teachers": 8_000, "students": 120_000, "records": 1_000_000}
# Share of history rows per subject kind, and how likely an item of each polarity is.
KIND_SHARE = {SubjectKind.STUDENT: 0.80, SubjectKind.TEACHER: 0.17, SubjectKind.SCHOOL: 0.03}
NARRATIVES = {
    SubjectKind.SCHOOL: "经督导检查核实。",
    SubjectKind.TEACHER: "经学校调查、教育局核实。",
    SubjectKind.STUDENT: "经班主任和学校核实。",
}


@dataclass(frozen=True)
class DistrictSummary:
    schools: int
    teachers: int
    students: int
    records: int
    years: list[int]
    seconds: float


def build_district(
    *,
    scale: float = 1.0,
    years: int = 8,
    seed: int = 2019,
    say: Callable[[str], None] = print,
    batch_size: int = 20_000,
) -> DistrictSummary:
    started = time.perf_counter()
    size = {key: max(1, round(value * scale)) for key, value in FULL_SIZE.items()}
    say(
        f"==> people: {size['schools']} schools, {size['teachers']} teachers, {size['students']} students"
    )
    build_demo_district(
        seed=seed, schools=size["schools"], teachers=size["teachers"], students=size["students"]
    )
    missing = size["records"] - CreditRecord.objects.count()
    current = academic_year_of(timezone.localdate())
    history_years = list(range(current - 1 - years, current - 1))
    if missing > 0 and history_years:
        say(
            f"==> history: {missing:,} published records over {history_years[0]}–{history_years[-1]}"
        )
        _add_history(missing, history_years, random.Random(seed + 1), say, batch_size)
    say("==> recomputing the current year")
    recompute_year(year=current)
    return DistrictSummary(
        schools=School.objects.count(),
        teachers=Teacher.objects.count(),
        students=Student.objects.count(),
        records=CreditRecord.objects.count(),
        years=[*history_years, current - 1, current],
        seconds=time.perf_counter() - started,
    )


def _add_history(total: int, years: list[int], rng: random.Random, say, batch_size: int) -> None:
    bureau = get_user_model().objects.get(username="bureau")
    items = {kind: list(CatalogItem.objects.filter(subject_kind=kind)) for kind in KIND_SHARE}
    weights = {
        kind: [
            3.0
            if i.default_points < 0 and i.severity == "minor"
            else 1.0
            if i.default_points < 0
            else 1.5
            for i in its
        ]
        for kind, its in items.items()
    }
    subjects = {
        SubjectKind.SCHOOL: list(School.objects.values_list("pk", flat=True)),
        SubjectKind.TEACHER: list(Teacher.objects.values_list("pk", flat=True)),
        SubjectKind.STUDENT: list(Student.objects.values_list("pk", flat=True)),
    }
    # A heavy tail: each subject's chance of a record is drawn once (Pareto), so most have none.
    propensity = {
        kind: [min(rng.paretovariate(1.6), 40.0) for _ in ids] for kind, ids in subjects.items()
    }
    per_year = total // len(years)
    done = 0
    for index, year in enumerate(years):
        services.ensure_year(year=year)
        count = per_year if index < len(years) - 1 else total - done
        start = datetime.date(year, 9, 1)
        rows: list[CreditRecord] = []
        for kind, share in KIND_SHARE.items():
            n = round(count * share) if kind != SubjectKind.STUDENT else 0
            rows.extend(
                _records(rng, kind, n, subjects, propensity, items, weights, start, year, bureau)
            )
        rows.extend(
            _records(
                rng,
                SubjectKind.STUDENT,
                count - len(rows),
                subjects,
                propensity,
                items,
                weights,
                start,
                year,
                bureau,
            )
        )
        rows.sort(key=lambda r: r.published_at)
        for offset in range(0, len(rows), batch_size):
            with transaction.atomic():
                batch = CreditRecord.objects.bulk_create(rows[offset : offset + batch_size])
                append_publications_bulk(records=batch)
        done += len(rows)
        say(f"    {year}: {len(rows):,} records ({done:,}/{total:,})")


def _records(rng, kind, n, subjects, propensity, items, weights, start, year, bureau):
    if n <= 0:
        return []
    field = {SubjectKind.SCHOOL: "school_id", SubjectKind.TEACHER: "teacher_id"}.get(
        kind, "student_id"
    )
    chosen = rng.choices(subjects[kind], weights=propensity[kind], k=n)
    picked = rng.choices(items[kind], weights=weights[kind], k=n)
    out = []
    for subject_id, item in zip(chosen, picked, strict=True):
        occurred = start + datetime.timedelta(days=rng.randrange(330))
        published = timezone.make_aware(
            datetime.datetime.combine(
                occurred + datetime.timedelta(days=rng.randint(3, 20)), datetime.time(10)
            )
        )
        record = CreditRecord(
            **{field: subject_id},
            item=item,
            points=item.default_points,
            occurred_on=occurred,
            year=year,
            source=RecordSource.ROUTINE,
            narrative=NARRATIVES[kind],
            status=RecordStatus.PUBLISHED,
            recorded_by=bureau,
            recorded_at=published,
            submitted_by=bureau,
            submitted_at=published,
            approved_by=bureau,
            approved_at=published,
            published_by=bureau,
            published_at=published,
        )
        record.fix_tier()
        out.append(record)
    return out
