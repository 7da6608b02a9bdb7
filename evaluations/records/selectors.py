"""Reads of the credit ledger: a record's chain, eligibility answers, the red and black lists.

Everything that takes a list answers for the whole list with a fixed number of queries.
"""

import datetime
from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import CharField, Min, Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from credit_registry.access import records_visible_to
from evaluations.models import (
    PUBLISHED_STATUSES,
    CreditRecord,
    LedgerAction,
    LedgerEntry,
    Notice,
    RecordStatus,
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


def unpublished_records_by(user) -> QuerySet[CreditRecord]:
    """Records a user proposed that are not published yet, newest first: what they may still
    correct, resubmit or withdraw (returned ones with the bureau's reason)."""
    return (
        records_visible_to(user)
        .filter(recorded_by=user, published_at__isnull=True)
        .select_related("item", "school", "teacher", "student")
        .order_by("-recorded_at", "-id")
    )


# --- notices -----------------------------------------------------------------------------------

NOTICES_SHOWN = 100


def notices_for(user) -> list[Notice]:
    """The newest notices of a user, as the notice page lists them."""
    return list(
        Notice.objects.filter(recipient=user).order_by("-created_at", "-id")[:NOTICES_SHOWN]
    )


def unread_notice_count(user) -> int:
    """New notices, for the count beside 通知 in the navigation (one query)."""
    if not user.is_authenticated:
        return 0
    return Notice.objects.filter(recipient=user, read_at__isnull=True).count()


# --- a record's steps ---------------------------------------------------------------------------

# What an edit may change, in the order a reader checks it.
CONTENT_FIELDS = ("item", "points", "points_reason", "occurred_on", "source", "narrative")
STEP_PEOPLE = ("recorded_by", "submitted_by", "edited_by", "returned_by", "approved_by")


@dataclass(frozen=True)
class Step:
    """One thing that happened to a record: when, what, by whom, why (and the ledger link's
    hash once it is published)."""

    at: datetime.datetime
    action: str
    who: str
    detail: str = ""
    hash: str = ""


def person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def record_steps(record: CreditRecord) -> list[Step]:
    """Everything that happened to a record, oldest first, with who did it: proposing, every
    edit, submission, return (with its reason), resubmission and approval from the record's saved
    versions, then publication and what followed from its ledger links. A record saved before
    versions were kept (or written in bulk) shows what its own columns still say."""
    versions = list(
        record.history.select_related(*STEP_PEOPLE).order_by("history_date", "history_id")
    )
    steps = _steps_of_first(versions[0] if versions else record)
    for before, after in zip(versions, versions[1:], strict=False):
        steps += _steps_between(before, after, was_returned=_was_returned(versions, after))
    steps.sort(key=lambda step: step.at)
    for entry in record.ledger.select_related("actor").order_by("id"):
        steps.append(
            Step(
                entry.at,
                entry.get_action_display(),
                person(entry.actor),
                entry.reason,
                entry.hash[:12],
            )
        )
    return steps


def _was_returned(versions, version) -> bool:
    return any(v.status == RecordStatus.RETURNED for v in versions[: versions.index(version)])


def _steps_of_first(version) -> list[Step]:
    """The first version known: what its columns say happened up to then (the latest of each
    step; an earlier submission or return is not in them)."""
    resubmitted = bool(
        version.returned_at and version.submitted_at and version.submitted_at > version.returned_at
    )
    steps = [
        Step(version.recorded_at, pgettext_lazy("record step", "登记"), person(version.recorded_by))
    ]
    if version.submitted_at and not resubmitted:
        steps.append(_submitted(version, resubmitted=False))
    if version.returned_at:
        steps.append(_returned(version))
    if version.edited_at:
        steps.append(
            Step(version.edited_at, pgettext_lazy("record step", "修改"), person(version.edited_by))
        )
    if resubmitted:
        steps.append(_submitted(version, resubmitted=True))
    if version.approved_at:
        steps.append(
            Step(
                version.approved_at,
                pgettext_lazy("record step", "审核通过"),
                person(version.approved_by),
            )
        )
    return steps


def _steps_between(before, after, *, was_returned: bool) -> list[Step]:
    steps = []
    if after.edited_at and after.edited_at != before.edited_at:
        changed = [
            str(CreditRecord._meta.get_field(name).verbose_name)
            for name in CONTENT_FIELDS
            if getattr(after, f"{name}_id" if name == "item" else name)
            != getattr(before, f"{name}_id" if name == "item" else name)
        ]
        steps.append(
            Step(
                after.edited_at,
                pgettext_lazy("record step", "修改"),
                person(after.edited_by),
                "、".join(changed),
            )
        )
    if after.status != before.status and after.status not in PUBLISHED_STATUSES:
        if after.status == RecordStatus.SUBMITTED:
            steps.append(_submitted(after, resubmitted=was_returned))
        elif after.status == RecordStatus.RETURNED:
            steps.append(_returned(after))
        elif after.status == RecordStatus.APPROVED:
            steps.append(
                Step(
                    after.approved_at,
                    pgettext_lazy("record step", "审核通过"),
                    person(after.approved_by),
                )
            )
    return steps


def _submitted(version, *, resubmitted: bool) -> Step:
    label = (
        pgettext_lazy("record step", "重新提交")
        if resubmitted
        else pgettext_lazy("record step", "提交局机关审核")
    )
    return Step(version.submitted_at, label, person(version.submitted_by))


def _returned(version) -> Step:
    return Step(
        version.returned_at,
        pgettext_lazy("record step", "退回"),
        person(version.returned_by),
        version.returned_reason,
    )


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
