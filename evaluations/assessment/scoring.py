"""The annual assessment: every subject's score and grade for a year, with its explanation.

The district is recomputed with a fixed number of set-based queries whatever its size: one for
the policy, one per subject kind for the subjects, one for the year's counting records, one for
the evaluation scores, then a delete and bulk inserts. No query per subject.
"""

import datetime
import json
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from credit_registry.common import generations
from credit_registry.common.bulk import analyze
from evaluations.models import (
    AssessmentPolicy,
    AssessmentResult,
    AssessmentYear,
    CreditRecord,
    Grade,
    Polarity,
    Severity,
    SubjectKind,
)
from evaluations.rounds.selectors import evaluation_scores
from schools.models import School
from schools.selectors import activity_counts
from students.models import Student, StudentStatus
from teachers.models import Teacher

CENT = Decimal("0.01")
ZERO = Decimal(0)


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# Labels the assessment writes itself (not a record's item): stored in Chinese, read in the
# reader's language by ``line_label``.
FIXED_LABELS = {gettext_noop("基础分"), gettext_noop("记录分"), gettext_noop("记录分最低为0分")}


@dataclass
class Contribution:
    """One line of the explanation. ``label`` is stored as written, in Chinese whatever the
    language of whoever recomputed; a label with ``params`` is a msgid, stored with them so
    that ``line_label`` reads it in any language."""

    label: str
    points: Decimal
    date: datetime.date | None = None
    record_id: int | None = None
    params: dict[str, str] | None = None

    def as_json(self) -> dict:
        line = {
            "label": self.label % self.params if self.params else self.label,
            "points": f"{self.points:.2f}",
            "date": self.date.isoformat() if self.date else None,
            "record": self.record_id,
        }
        if self.params:
            line["text"], line["params"] = self.label, self.params
        return line


def line_label(line: dict) -> str:
    """An explanation line's label in the current language; a record's item is shown as
    typed."""
    if line.get("text"):
        return gettext(line["text"]) % line["params"]
    label = line.get("label", "")
    return gettext(label) if label in FIXED_LABELS else label


@dataclass
class Score:
    record_score: Decimal
    evaluation_score: Decimal | None
    total: Decimal
    grade: str
    vetoed: bool
    lines: list[Contribution] = field(default_factory=list)
    components: list[Contribution] = field(default_factory=list)
    veto: dict[str, str] | None = None  # the params of VETO
    grade_note: dict[str, str] | None = None  # the params of GRADE_NOTE

    def explanation(self) -> dict:
        explanation = {
            "lines": [line.as_json() for line in self.lines],
            "record_score": f"{self.record_score:.2f}",
            "components": [c.as_json() for c in self.components],
            "total": f"{self.total:.2f}",
        }
        for key, params in (("veto", self.veto), ("grade_note", self.grade_note)):
            # Stored in Chinese, with the params for ``explanation_note``.
            explanation[key] = NOTES[key] % params if params else ""
            if params:
                explanation[f"{key}_params"] = params
        return explanation


NOTES = {
    "veto": gettext_noop("%(item)s（%(date)s）一票否决"),
    "grade_note": gettext_noop(
        "当年有失信记录（%(item)s，%(date)s），综合分%(total)s虽达到A的下限，等级评为%(grade)s"
    ),
}


def explanation_note(explanation: dict, key: str) -> str:
    """The explanation's veto or grade note in the current language ("" when there is none)."""
    params = explanation.get(f"{key}_params")
    if params:
        return gettext(NOTES[key]) % params
    return explanation.get(key) or ""


@dataclass(frozen=True)
class CountedRecord:
    record_id: int
    label: str
    points: Decimal
    occurred_on: datetime.date
    vetoes: bool
    positive: bool


def score_subject(
    *,
    policy: AssessmentPolicy,
    records: Iterable[CountedRecord],
    evaluation: Decimal | None = None,
    evaluation_note: str = "",
    extra_lines: Iterable[Contribution] = (),
    kind: str = SubjectKind.TEACHER,
) -> Score:
    """Score one subject. Every point of the result is a line of the explanation:
    ``sum(lines) == record_score`` and ``sum(components) == total``."""
    lines = [Contribution("基础分", _q(policy.base_score))]
    positive_total = ZERO
    veto_reason = None
    first_negative = None
    for record in sorted(records, key=lambda r: (r.occurred_on, r.record_id)):
        if not record.positive and first_negative is None:
            first_negative = record
        lines.append(
            Contribution(record.label, _q(record.points), record.occurred_on, record.record_id)
        )
        if record.positive:
            positive_total += record.points
        if record.vetoes and not veto_reason:
            veto_reason = {"item": record.label, "date": f"{record.occurred_on:%Y-%m-%d}"}
    for extra in extra_lines:
        lines.append(extra)
        positive_total += extra.points if extra.points > 0 else ZERO
    if positive_total > policy.positive_cap:
        lines.append(
            Contribution(
                gettext_noop("加分超过上限%(cap)s分，超出部分不计"),
                _q(policy.positive_cap - positive_total),
                params={"cap": f"{policy.positive_cap:.2f}"},
            )
        )
    subtotal = sum((line.points for line in lines), ZERO)
    if subtotal < 0:
        lines.append(Contribution("记录分最低为0分", -subtotal))
        subtotal = ZERO
    record_score = _q(subtotal)

    components: list[Contribution] = []
    record_weight, evaluation_weight = policy.weights_for(kind)
    weights = record_weight + evaluation_weight
    if evaluation is not None and weights > 0:
        record_part = _q(record_score * record_weight / weights)
        evaluation_part = _q(evaluation * evaluation_weight / weights)
        components = [
            Contribution(
                gettext_noop("记录分%(score)s × %(share)s"),
                record_part,
                params={"score": f"{record_score:.2f}", "share": f"{record_weight / weights:.0%}"},
            ),
            Contribution(
                gettext_noop("测评分%(score)s × %(share)s（%(note)s）")
                if evaluation_note
                else gettext_noop("测评分%(score)s × %(share)s"),
                evaluation_part,
                params={
                    "score": f"{evaluation:.2f}",
                    "share": f"{evaluation_weight / weights:.0%}",
                    **({"note": evaluation_note} if evaluation_note else {}),
                },
            ),
        ]
        total = record_part + evaluation_part
    else:
        # A teacher rated only by themself has no evaluation score: the note says why.
        if evaluation_note:
            line = Contribution(
                gettext_noop("记录分（%(note)s）"), record_score, params={"note": evaluation_note}
            )
        else:
            line = Contribution("记录分", record_score)
        components = [line]
        total = record_score
    vetoed = bool(veto_reason) and policy.veto_forces_d
    clean = first_negative is None
    grade = Grade.D if vetoed else policy.grade_for(total, clean_year=clean)
    grade_note = None
    if not vetoed and not clean and grade != policy.grade_for(total):
        grade_note = {
            "item": first_negative.label,
            "date": f"{first_negative.occurred_on:%Y-%m-%d}",
            "total": f"{total:.2f}",
            "grade": grade,
        }
    return Score(
        record_score=record_score,
        evaluation_score=evaluation,
        total=total,
        grade=grade,
        vetoed=vetoed,
        lines=lines,
        components=components,
        veto=veto_reason if vetoed else None,
        grade_note=grade_note,
    )


def current_policy(year: int) -> AssessmentPolicy:
    policy = AssessmentPolicy.objects.filter(year_id=year).order_by("-version").first()
    if policy is None:
        raise ValidationError(
            gettext("%(year)s学年尚未制定考核政策") % {"year": year}, code="no_policy"
        )
    return policy


def counted_records(year: int, **subject_filter) -> dict[tuple[str, int], list[CountedRecord]]:
    """The year's counting records, grouped by (subject kind, subject id), in one query."""
    rows = (
        CreditRecord.objects.counting()
        .filter(year=year, **subject_filter)
        .values_list(
            "id",
            "school_id",
            "teacher_id",
            "student_id",
            "item__name",
            "points",
            "occurred_on",
            "vetoes",
            "severity",
            "polarity",
        )
        .order_by()
    )
    grouped: dict[tuple[str, int], list[CountedRecord]] = defaultdict(list)
    for (
        rid,
        school_id,
        teacher_id,
        student_id,
        name,
        points,
        day,
        vetoes,
        severity,
        polarity,
    ) in rows:
        if school_id:
            key = (SubjectKind.SCHOOL, school_id)
        elif teacher_id:
            key = (SubjectKind.TEACHER, teacher_id)
        else:
            key = (SubjectKind.STUDENT, student_id)
        grouped[key].append(
            CountedRecord(
                record_id=rid,
                label=name,
                points=points,
                occurred_on=day,
                vetoes=vetoes and severity == Severity.SEVERE,
                positive=polarity == Polarity.POSITIVE,
            )
        )
    return grouped


def activity_lines(
    year: int, policy: AssessmentPolicy, *, school_ids: Iterable[int] | None = None
) -> dict[tuple[str, int], list]:
    """One explanation line per school that held integrity-education activities: n × points,
    capped by the policy."""
    lines = {}
    for school_id, n in activity_counts(year, school_ids=school_ids).items():
        points = min(n * policy.activity_points, policy.activity_cap)
        params = {"count": str(n), "points": f"{policy.activity_points:.2f}"}
        if n * policy.activity_points > policy.activity_cap:
            label = gettext_noop("诚信教育活动%(count)s次×%(points)s分（上限%(cap)s分）")
            params["cap"] = f"{policy.activity_cap:.2f}"
        else:
            label = gettext_noop("诚信教育活动%(count)s次×%(points)s分")
        lines[(SubjectKind.SCHOOL, school_id)] = [
            Contribution(label, points.quantize(CENT), params=params)
        ]
    return lines


def _result_row(year: int, policy, kind: str, pk: int, score: Score, now) -> dict:
    return {
        "year_id": year,
        "policy_id": policy.pk,
        "school_id": pk if kind == SubjectKind.SCHOOL else None,
        "teacher_id": pk if kind == SubjectKind.TEACHER else None,
        "student_id": pk if kind == SubjectKind.STUDENT else None,
        "record_score": score.record_score,
        "evaluation_score": score.evaluation_score,
        "total_score": score.total,
        "grade": score.grade,
        "vetoed": score.vetoed,
        "explanation": score.explanation(),
        "computed_at": now,
    }


def subject_key(subject) -> tuple[str, int]:
    """(kind, id) of a school, teacher or student."""
    if isinstance(subject, School):
        return SubjectKind.SCHOOL, subject.pk
    if isinstance(subject, Teacher):
        return SubjectKind.TEACHER, subject.pk
    if isinstance(subject, Student):
        return SubjectKind.STUDENT, subject.pk
    raise TypeError(f"not a credit subject: {subject!r}")


def recompute_subjects(*, year: int, subjects: Iterable) -> int:
    """Recompute the year's result of a few subjects now, through the same scoring as the
    district recompute (which gives identical rows), in a few queries whatever the district's
    size. Every service that changes what counts for a subject calls this in its transaction, so
    no page, PDF or eligibility answer reads a result older than the records it explains. A year
    that is not open, or closed, is left as it is. Returns the number of results written."""
    keys = list(dict.fromkeys(subject_key(s) for s in subjects))
    assessment_year = AssessmentYear.objects.filter(year=year).first()
    if not keys or assessment_year is None or assessment_year.is_closed:
        return 0
    policy = current_policy(year)
    ids = defaultdict(list)
    for kind, pk in keys:
        ids[kind].append(pk)
    grouped: dict[tuple[str, int], list[CountedRecord]] = {}
    for kind, pks in ids.items():
        grouped.update(counted_records(year, **{f"{kind}_id__in": pks}))
    evaluations = {kind: evaluation_scores(year, kind=kind, ids=pks) for kind, pks in ids.items()}
    extras = (
        activity_lines(year, policy, school_ids=ids[SubjectKind.SCHOOL])
        if ids.get(SubjectKind.SCHOOL)
        else {}
    )
    now = timezone.now()
    rows = []
    for kind, pk in keys:
        evaluation = evaluations[kind].get(pk)
        score = score_subject(
            policy=policy,
            records=grouped.get((kind, pk), ()),
            evaluation=evaluation[0] if evaluation else None,
            evaluation_note=evaluation[1] if evaluation else "",
            extra_lines=extras.get((kind, pk), ()),
            kind=kind,
        )
        rows.append(_result_row(year, policy, kind, pk, score, now))
    with transaction.atomic():
        for kind, pks in ids.items():
            AssessmentResult.objects.filter(year_id=year, **{f"{kind}_id__in": pks}).delete()
        AssessmentResult.objects.bulk_create(AssessmentResult(**row) for row in rows)
    generations.bump(generations.PUBLIC_LISTS)
    return len(rows)


@dataclass(frozen=True)
class RecomputeSummary:
    year: int
    subjects: int
    by_grade: dict[str, int]
    seconds: float


def recompute_year(*, year: int, batch_size: int = 2000) -> RecomputeSummary:
    """Recompute every school, teacher and enrolled student of the district for one year."""
    started = time.perf_counter()
    assessment_year = AssessmentYear.objects.filter(year=year).first()
    if assessment_year is None:
        raise ValidationError(gettext("%(year)s学年尚未开设") % {"year": year})
    if assessment_year.is_closed:
        raise ValidationError(
            gettext("该学年已关闭，考核结果不能再变动"),
            code="year_closed",
        )
    policy = current_policy(year)
    grouped = counted_records(year)
    evaluations = {kind: evaluation_scores(year, kind=kind) for kind in SubjectKind}
    extras = activity_lines(year, policy)

    # Subjects with something to count are scored one by one, with their explanation; everyone
    # else of the district has the base score only, and gets it in one INSERT … SELECT per kind.
    subjects = list(
        dict.fromkeys(
            [
                *grouped,
                *extras,
                *((kind, pk) for kind, scores in evaluations.items() for pk in scores),
            ]
        )
    )

    now = timezone.now()
    by_grade: dict[str, int] = defaultdict(int)
    rows = []
    for kind, pk in subjects:
        evaluation = evaluations[kind].get(pk)
        score = score_subject(
            policy=policy,
            records=grouped.get((kind, pk), ()),
            evaluation=evaluation[0] if evaluation else None,
            evaluation_note=evaluation[1] if evaluation else "",
            extra_lines=extras.get((kind, pk), ()),
            kind=kind,
        )
        by_grade[score.grade] += 1
        rows.append(_result_row(year, policy, kind, pk, score, now))
    plain = score_subject(policy=policy, records=())
    with transaction.atomic():
        _write_difference(year, policy, plain, rows, now, batch_size)
        total = AssessmentResult.objects.filter(year_id=year).count()
        generations.bump(generations.PUBLIC_LISTS)
    analyze(AssessmentResult)  # a district's results rewritten: the planner's figures too
    by_grade[plain.grade] += total - len(rows)
    return RecomputeSummary(
        year=year,
        subjects=total,
        by_grade=dict(by_grade),
        seconds=time.perf_counter() - started,
    )


COMPARED = ("policy_id", "record_score", "evaluation_score", "total_score", "grade", "vetoed")


def _id_list() -> str:
    """A list of ids as one JSON parameter, so that a statement stays one statement at any
    size."""
    if connection.vendor == "postgresql":
        return "(SELECT jsonb_array_elements_text(%s::jsonb)::bigint)"
    return "(SELECT value FROM json_each(%s))"


def _subject_key(row: dict) -> tuple[str, int]:
    for kind in (SubjectKind.SCHOOL, SubjectKind.TEACHER, SubjectKind.STUDENT):
        if row[f"{kind}_id"] is not None:
            return kind, row[f"{kind}_id"]
    raise ValueError(row)


def scored_sql() -> str:
    """The condition (SQL, no parameters) of a result that is more than the base score: it has
    an evaluation score or a line besides the base line (a record, an activity, a cap). The
    partial index ``evaluations_result_scored_idx`` (migration 0007) is built on the same
    condition, so the scored few of a year are found without reading the rest."""
    lines = (
        "jsonb_array_length(explanation -> 'lines')"
        if connection.vendor == "postgresql"
        else "json_array_length(explanation, '$.lines')"
    )
    return f"(evaluation_score IS NOT NULL OR {lines} > 1)"


def _write_difference(
    year: int, policy, plain: Score, rows: list[dict], now, batch_size: int
) -> None:
    """Make the year's results what ``rows`` and the base score say, writing only what changed:
    most of a district has the base score year after year, and a recompute after a few new
    records changes a few rows. A result left as it was keeps its ``computed_at``.

    1. results of an older policy version go (all of them are rewritten below);
    2. the scored results (``SCORED``: read through a partial index, not by comparing every
       row of the district with the plain one) are compared with ``rows``: equal ones stay,
       changed or no longer scored ones go. Once the older versions are gone, a result that is
       not scored is the plain one: same policy, the base line alone, no evaluation;
    3. ``rows`` missing from the table are inserted; base-score results are inserted for every
       subject of the district that has none, and deleted for subjects that left it.
    """
    table = AssessmentResult._meta.db_table
    explanation = json.dumps(plain.explanation(), ensure_ascii=False)
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    # Is a result row the plain one? (SQLite stores JSON as text in the same canonical form.)
    is_plain = (
        "policy_id = %s AND record_score = %s AND evaluation_score IS NULL AND total_score = %s "
        f"AND grade = %s AND vetoed = %s AND explanation = %s{cast}"
    )
    plain_params = [policy.pk, plain.record_score, plain.total, plain.grade, False, explanation]
    wanted = {_subject_key(row): row for row in rows}
    stale: list[int] = []
    with connection.cursor() as cursor:
        # Through the policy index: the year's other versions are a handful, usually none.
        cursor.execute(
            f"DELETE FROM {table} WHERE year_id = %s AND policy_id IN (SELECT id FROM "
            f"{AssessmentPolicy._meta.db_table} WHERE year_id = %s AND id <> %s)",
            [year, year, policy.pk],
        )
        cursor.execute(
            f"SELECT id, school_id, teacher_id, student_id, {', '.join(COMPARED)}, explanation "
            f"FROM {table} WHERE year_id = %s AND {scored_sql()}",
            [year],
        )
        for rid, school_id, teacher_id, student_id, *values, stored in cursor.fetchall():
            key = _subject_key(
                {"school_id": school_id, "teacher_id": teacher_id, "student_id": student_id}
            )
            row = wanted.get(key)
            if isinstance(stored, str):
                stored = json.loads(stored)
            if (
                row is not None
                and [row[name] for name in COMPARED] == values
                and (row["explanation"] == stored)
            ):
                del wanted[key]  # unchanged
            else:
                stale.append(rid)
        # Subjects scored now whose stored result is the plain one: that row goes too.
        for kind in (SubjectKind.SCHOOL, SubjectKind.TEACHER, SubjectKind.STUDENT):
            ids = [pk for (k, pk) in wanted if k == kind]
            if ids:
                cursor.execute(
                    f"DELETE FROM {table} WHERE year_id = %s AND {kind}_id IN {_id_list()}",
                    [year, json.dumps(ids)],
                )
        if stale:
            cursor.execute(f"DELETE FROM {table} WHERE id IN {_id_list()}", [json.dumps(stale)])
        # Plain results of subjects that left the district (no longer active, posted, enrolled):
        # found by an anti-join first, so the explanation is compared on those rows only.
        cursor.execute(
            " UNION ALL ".join(
                f"SELECT r.id FROM {table} r WHERE r.year_id = %s AND r.{kind}_id IS NOT NULL "
                f"AND NOT EXISTS (SELECT 1 FROM {model._meta.db_table} t "
                f"WHERE t.id = r.{kind}_id AND {condition})"
                for kind, (model, condition, _) in DISTRICT_SUBJECTS.items()
            ),
            [param for _, _, value in DISTRICT_SUBJECTS.values() for param in (year, value)],
        )
        leavers = [rid for (rid,) in cursor.fetchall()]
        if leavers:
            cursor.execute(
                f"DELETE FROM {table} WHERE id IN {_id_list()} AND {is_plain}",
                [json.dumps(leavers), *plain_params],
            )
    _insert_results(list(wanted.values()), batch_size)
    _insert_plain_results(year, policy, plain, now)


def _insert_results(rows: list[dict], batch_size: int) -> None:
    """PostgreSQL takes a district's results by COPY (one stream, no SQL to compile per row);
    other databases by bulk_create."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        columns = list(rows[0])
        table = AssessmentResult._meta.db_table
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(
                    [
                        json.dumps(value, ensure_ascii=False) if name == "explanation" else value
                        for name, value in row.items()
                    ]
                )
        return
    AssessmentResult.objects.bulk_create(
        (AssessmentResult(**row) for row in rows), batch_size=batch_size
    )


# Who gets a result every year, by kind: the table, and the rows of it that are in the district.
DISTRICT_SUBJECTS = {
    SubjectKind.SCHOOL: (School, "active = %s", True),
    SubjectKind.TEACHER: (Teacher, "school_id IS NOT NULL AND %s", True),
    SubjectKind.STUDENT: (Student, "status = %s", StudentStatus.ENROLLED),
}


def _insert_plain_results(year: int, policy, plain: Score, now) -> dict[str, int]:
    """Base-score results for every subject of the district that has none yet this year."""
    results = AssessmentResult._meta.db_table
    explanation = json.dumps(plain.explanation(), ensure_ascii=False)
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    counts = {}
    with connection.cursor() as cursor:
        for kind, (model, condition, value) in DISTRICT_SUBJECTS.items():
            table = model._meta.db_table
            cursor.execute(
                f"INSERT INTO {results} (year_id, policy_id, {kind}_id, record_score, "
                "evaluation_score, total_score, grade, vetoed, explanation, computed_at) "
                f"SELECT %s, %s, t.id, %s, NULL, %s, %s, %s, %s{cast}, %s FROM {table} t "
                f"WHERE {condition} AND NOT EXISTS (SELECT 1 FROM {results} r "
                f"WHERE r.year_id = %s AND r.{kind}_id = t.id)",
                [
                    year,
                    policy.pk,
                    plain.record_score,
                    plain.total,
                    plain.grade,
                    False,
                    explanation,
                    now,
                    value,
                    year,
                ],
            )
            counts[kind] = cursor.rowcount
    return counts
