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
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from credit_registry.common.bulk import copy_rows, loading, reserve_ids
from credit_registry.common.years import academic_year_of
from credit_registry.demo import build_demo_district
from evaluations.assessment import services
from evaluations.assessment.scoring import recompute_year
from evaluations.models import (
    CatalogItem,
    CreditRecord,
    LedgerEntry,
    LedgerHead,
    RecordSource,
    RecordStatus,
    SubjectKind,
)
from evaluations.models.records import tier_of
from evaluations.records.ledger import GENESIS, append_publications_bulk, link_content
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
        seed=seed,
        schools=size["schools"],
        teachers=size["teachers"],
        students=size["students"],
        verify=False,
    )
    say(f"    people and the demo's own history: {time.perf_counter() - started:.0f} s")
    missing = size["records"] - CreditRecord.objects.count()
    current = academic_year_of(timezone.localdate())
    history_years = list(range(current - 1 - years, current - 1))
    if missing > 0 and history_years:
        say(
            f"==> history: {missing:,} published records over {history_years[0]}–{history_years[-1]}"
        )
        with transaction.atomic(), loading(CreditRecord, LedgerEntry):
            _add_history(missing, history_years, random.Random(seed + 1), say, batch_size)
        say(f"    indexes and foreign keys built again: {time.perf_counter() - started:.0f} s")
    say(f"    history written: {time.perf_counter() - started:.0f} s")
    say("==> recomputing the current year")
    recompute_year(year=current)
    say(f"    recomputed: {time.perf_counter() - started:.0f} s")
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
            _store_published(rows[offset : offset + batch_size])
        done += len(rows)
        say(f"    {year}: {len(rows):,} records ({done:,}/{total:,})")


@dataclass(slots=True)
class _History:
    """A published history record as plain values: what the ledger's digest reads, without the
    cost of a model object (a district has a million of them)."""

    school_id: int | None
    teacher_id: int | None
    student_id: int | None
    item_id: int
    points: Decimal
    occurred_on: datetime.date
    year: int
    narrative: str
    by: int
    published_at: datetime.datetime
    tier: dict
    id: int | None = None
    status: str = RecordStatus.PUBLISHED
    source: str = RecordSource.ROUTINE
    points_reason: str = ""
    deciding_office: str = ""
    document_number: str = ""
    amends_id: None = None

    @property
    def pk(self) -> int | None:
        return self.id

    # the digest's names for the people and times of the record's steps
    @property
    def recorded_by_id(self) -> int:
        return self.by

    approved_by_id = published_by_id = recorded_by_id

    @property
    def recorded_at(self) -> datetime.datetime:
        return self.published_at

    approved_at = recorded_at

    def __getattr__(self, name):  # the tier's fields (polarity, severity, …)
        try:
            return self.tier[name]
        except KeyError:
            raise AttributeError(name) from None

    def row(self) -> dict:
        return {
            **_RECORD_DEFAULTS,
            **self.tier,
            "id": self.id,
            "school_id": self.school_id,
            "teacher_id": self.teacher_id,
            "student_id": self.student_id,
            "item_id": self.item_id,
            "points": self.points,
            "occurred_on": self.occurred_on,
            "year": self.year,
            "source": self.source,
            "narrative": self.narrative,
            "status": self.status,
            "recorded_by_id": self.by,
            "recorded_at": self.published_at,
            "submitted_by_id": self.by,
            "submitted_at": self.published_at,
            "approved_by_id": self.by,
            "approved_at": self.published_at,
            "published_by_id": self.by,
            "published_at": self.published_at,
        }


LINK_COLUMNS = (
    "record_id",
    "action",
    "record_status",
    "actor_id",
    "at",
    "reason",
    "payload",
    "prev_hash",
    "hash",
)
_RECORD_DEFAULTS = {
    field.attname: None if field.null else field.get_default()
    for field in CreditRecord._meta.concrete_fields
}


def _store_published(rows: list[_History]) -> None:
    """Store published records and chain their publication, exactly as the services would
    (``ledger.link_content`` makes each link): on PostgreSQL with COPY, elsewhere in bulk."""
    if connection.vendor != "postgresql":
        records = CreditRecord.objects.bulk_create(
            CreditRecord(**{k: v for k, v in row.row().items() if k != "id"}) for row in rows
        )
        append_publications_bulk(records=records)
        return
    for row, pk in zip(rows, reserve_ids(CreditRecord, len(rows)), strict=True):
        row.id = pk
    copy_rows(CreditRecord, (row.row() for row in rows))
    head, _ = LedgerHead.objects.select_for_update().get_or_create(
        pk=1, defaults={"last_hash": GENESIS}
    )
    previous = head.last_hash

    def links():  # computed while COPY streams the ones before
        nonlocal previous
        for row in rows:
            payload, digest = link_content(
                record=row,
                action="publish",
                actor_id=row.by,
                at=row.published_at,
                prev_hash=previous,
            )
            yield {
                "record_id": row.id,
                "action": "publish",
                "record_status": row.status,
                "actor_id": row.by,
                "at": row.published_at,
                "reason": "",
                "payload": payload,
                "prev_hash": previous,
                "hash": digest,
            }
            previous = digest

    copy_rows(LedgerEntry, links(), columns=LINK_COLUMNS)
    head.last_hash = previous
    head.save(update_fields=["last_hash"])


def _records(rng, kind, n, subjects, propensity, items, weights, start, year, bureau):
    if n <= 0:
        return []
    field = {SubjectKind.SCHOOL: "school_id", SubjectKind.TEACHER: "teacher_id"}.get(
        kind, "student_id"
    )
    chosen = rng.choices(subjects[kind], weights=propensity[kind], k=n)
    picked = rng.choices(items[kind], weights=weights[kind], k=n)
    out = []
    moments: dict[datetime.date, datetime.datetime] = {}  # a publication day: its 10 o'clock
    tiers: dict[tuple[int, datetime.date], dict] = {}
    school = teacher = student = None
    for subject_id, item in zip(chosen, picked, strict=True):
        occurred = start + datetime.timedelta(days=rng.randrange(330))
        day = occurred + datetime.timedelta(days=rng.randint(3, 20))
        published = moments.get(day)
        if published is None:
            published = moments[day] = timezone.make_aware(
                datetime.datetime.combine(day, datetime.time(10))
            )
        tier = tiers.get((item.pk, day))
        if tier is None:
            tier = tiers[item.pk, day] = tier_of(item, published)
        if field == "school_id":
            school = subject_id
        elif field == "teacher_id":
            teacher = subject_id
        else:
            student = subject_id
        out.append(
            _History(
                school,
                teacher,
                student,
                item.pk,
                item.default_points,
                occurred,
                year,
                NARRATIVES[kind],
                bureau.pk,
                published,
                tier,
            )
        )
    return out
