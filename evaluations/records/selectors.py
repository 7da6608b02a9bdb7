"""Reads of the credit ledger: a record's chain, eligibility answers, the red and black lists.

Everything that takes a list answers for the whole list with a fixed number of queries.
"""

import datetime
from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import CharField, Min, Q, Value
from django.utils import timezone

from evaluations.models import (
    CreditRecord,
    LedgerAction,
    LedgerEntry,
)
from students.models import Student
from teachers.models import Teacher


def record_chain(record: CreditRecord) -> dict:
    """Everything that happened to a record, oldest first: ledger links, objections, repair
    applications, and the amendments that replaced it (each with its own chain)."""
    return {
        "record": record,
        "ledger": list(record.ledger.select_related("actor").order_by("id")),
        "objections": list(
            record.objections.select_related("filed_by", "decided_by").prefetch_related("evidence")
        ),
        "repairs": list(
            record.repairs.select_related("applicant", "decided_by").prefetch_related("evidence")
        ),
        "amendments": list(record.amendments.select_related("item")),
        "amends": record.amends,
    }


def subjects_at_schools(school_ids: Collection[int]) -> Q:
    """Rows about these schools, their teachers and their students (credit records, assessment
    results): each matched by its subject's id. A teacher's or student's school is the current
    one (``Teacher.school``, ``Student.school``), as in ``access.records_visible_to``: a
    transferred student's file moves with them.

    The people are looked up first, in one query through their school indexes, and the rows then
    by those ids through their subject indexes — not a million records joined to teachers and
    students to compare each one's school."""
    school_ids = list(school_ids)
    people = (
        Teacher.objects.filter(school_id__in=school_ids)
        .annotate(kind=Value("teacher", output_field=CharField()))
        .values_list("pk", "kind")
        .order_by()
        .union(
            Student.objects.filter(school_id__in=school_ids)
            .annotate(kind=Value("student", output_field=CharField()))
            .values_list("pk", "kind")
            .order_by(),
            all=True,
        )
        .order_by()
    )
    ids: dict[str, list[int]] = {"teacher": [], "student": []}
    for pk, kind in people if school_ids else ():
        ids[kind].append(pk)
    return (
        Q(school_id__in=school_ids)
        | Q(teacher_id__in=ids["teacher"])
        | Q(student_id__in=ids["student"])
    )


# What changes a document's content after it was issued: a record published (not the amendment
# an AMEND link already tells), amended, revoked or repaired. An objection filed or dismissed
# leaves the record as it was.
CHANGING_ACTIONS = (
    LedgerAction.PUBLISH,
    LedgerAction.AMEND,
    LedgerAction.REVOKE,
    LedgerAction.REPAIR,
)


@dataclass(frozen=True)
class LaterChanges:
    since: datetime.date  # the day of the first change
    actions: tuple[str, ...]  # LedgerAction values, in CHANGING_ACTIONS order


def _records_covered(subject_key: str, year: int | None) -> Q | None:
    """The records an issued document is about, from its ``subject_key`` and ``year``: a
    teacher's or a student's file (every year), a school's report (the school, its teachers and
    students, of the year), the district's report (every record of the year)."""
    kind, _sep, key = subject_key.partition(":")
    if kind in ("teacher", "student") and key.isdigit():
        covered = Q(**{f"{kind}_id": int(key)})
    elif kind == "school" and key.isdigit():
        covered = subjects_at_schools([int(key)])
    elif kind == "district":
        covered = Q()
    else:
        return None
    return covered & Q(year=year) if year is not None else covered


def changes_after(
    *, subject_key: str, year: int | None, after: datetime.datetime
) -> LaterChanges | None:
    """Whether the records a document covers changed after it was issued, and since when."""
    covered = _records_covered(subject_key, year)
    if covered is None:
        return None
    links = (
        LedgerEntry.objects.filter(
            at__gt=after,
            action__in=CHANGING_ACTIONS,
            record__in=CreditRecord.objects.filter(covered).values("pk"),
        )
        .exclude(action=LedgerAction.PUBLISH, record__amends__isnull=False)
        .order_by()
    )
    seen = {row["action"]: row["first"] for row in links.values("action").annotate(first=Min("at"))}
    if not seen:
        return None
    return LaterChanges(
        since=timezone.localdate(min(seen.values())),
        actions=tuple(action for action in CHANGING_ACTIONS if action in seen),
    )
