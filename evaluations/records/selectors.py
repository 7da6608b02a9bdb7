"""Reads of the credit ledger: a record's chain, eligibility answers, the red and black lists.

Everything that takes a list answers for the whole list with a fixed number of queries.
"""

from collections.abc import Collection

from django.db.models import CharField, Q, Value

from evaluations.models import (
    CreditRecord,
)
from students.models import Student
from teachers.models import Teacher


def record_chain(record: CreditRecord) -> dict:
    """Everything that happened to a record, oldest first: ledger links, objections, repair
    applications, and the amendments that replaced it (each with its own chain)."""
    return {
        "record": record,
        "ledger": list(record.ledger.select_related("actor").order_by("id")),
        "objections": list(record.objections.select_related("filed_by", "decided_by")),
        "repairs": list(record.repairs.select_related("applicant", "decided_by")),
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
