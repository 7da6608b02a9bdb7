"""Scores, grades, explanations, policy versions, consequences and the public lists."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from evaluations.assessment import services as assessment_services
from evaluations.assessment.eligibility import check_eligibility, check_eligibility_many
from evaluations.assessment.lists import black_list, red_list
from evaluations.assessment.scoring import (
    Contribution,
    current_policy,
    recompute_year,
    score_subject,
)
from evaluations.disputes import services as dispute_services
from evaluations.models import AssessmentResult, CatalogItem, Grade, Purpose
from tests import factories

YEAR = factories.YEAR


@pytest.fixture
def year(db):
    assessment_services.ensure_year(year=YEAR)
    return YEAR


def _sum(lines):
    return sum((Decimal(line["points"]) for line in lines), Decimal(0))


def test_explanation_lists_every_contribution_and_adds_up(year, bureau, teacher):
    factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    factories.make_record(teacher, "T-ETHICS-COMMENDATION", by=bureau)
    factories.make_record(teacher, "T-GIFTS", by=bureau, points=-3, points_reason="金额较小")
    recompute_year(year=year)
    result = AssessmentResult.objects.get(teacher=teacher, year_id=year)
    explanation = result.explanation
    labels = [line["label"] for line in explanation["lines"]]
    assert labels[0] == "基础分" and {"有偿补课", "师德典型表彰", "违规收受礼品礼金"} <= set(labels)
    assert _sum(explanation["lines"]) == result.record_score == Decimal("92.00")
    assert _sum(explanation["components"]) == result.total_score
    # 92 reaches A's lower bound, but the year has counting negative records: B, and it says why.
    assert result.grade == Grade.B
    assert "当年有失信记录（有偿补课" in explanation["grade_note"]


def test_positive_points_are_capped_and_the_cap_is_a_line(year):
    policy = current_policy(year)
    extras = [Contribution("诚信教育活动", Decimal(4)) for _ in range(4)]
    score = score_subject(policy=policy, records=[], extra_lines=extras)
    assert score.record_score == policy.base_score + policy.positive_cap
    assert sum(line.points for line in score.lines) == score.record_score
    assert "上限" in score.lines[-1].label


def test_evaluation_and_record_score_weighted_as_the_policy_says(year):
    policy = current_policy(year)
    score = score_subject(policy=policy, records=[], evaluation=Decimal("80"))
    # 100 × 40% + 80 × 60% = 88
    assert score.total == Decimal("88.00")
    assert sum(c.points for c in score.components) == score.total
    assert score.grade == Grade.B


def test_a_severe_veto_record_forces_grade_d(year, bureau, teacher):
    factories.make_record(teacher, "T-ETHICS-COMMENDATION", by=bureau)
    factories.make_record(teacher, "T-CORPORAL-PUNISHMENT", by=bureau)
    recompute_year(year=year)
    result = AssessmentResult.objects.get(teacher=teacher, year_id=year)
    assert result.total_score >= 75  # the score alone would be a B
    assert (result.grade, result.vetoed) == (Grade.D, True)
    assert "一票否决" in result.explanation["veto"]


def test_revoked_and_repaired_records_stop_counting(year, bureau, teacher):
    record = factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    objection = dispute_services.file_objection(record=record, by=teacher.user, reason="x")
    dispute_services.decide_objection(
        objection=objection, by=bureau, outcome="revoked", reason="撤销"
    )
    recompute_year(year=year)
    assert AssessmentResult.objects.get(teacher=teacher).record_score == Decimal(100)


def test_recompute_uses_a_fixed_number_of_queries(year, bureau, school):
    def queries():
        with CaptureQueriesContext(connection) as context:
            recompute_year(year=year)
        return len(context)

    first = factories.make_teacher(school, "甲")
    factories.make_record(first, "T-GIFTS", by=bureau)
    small = queries()
    for n in range(12):
        teacher = factories.make_teacher(school, f"教师{n}")
        factories.make_student(school)
        factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    assert queries() == small


def test_policy_versions_are_added_and_a_closed_year_cannot_change(year, bureau, teacher):
    first = current_policy(year)
    second = assessment_services.create_policy_version(
        year=year, by=bureau, note="提高优秀线", grade_a=Decimal(95)
    )
    assert (second.version, second.grade_a, current_policy(year)) == (2, 95, second)
    first.refresh_from_db()
    assert first.grade_a == 90  # the old version is untouched
    assessment_services.close_year(year=year, by=bureau)
    with pytest.raises(ValidationError) as error:
        assessment_services.create_policy_version(
            year=year, by=bureau, note="改", grade_a=Decimal(80)
        )
    assert error.value.code == "year_closed"
    with pytest.raises(ValidationError):
        recompute_year(year=year)
    with pytest.raises(ValidationError) as error:
        factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    assert error.value.code == "year_closed"


# --- consequences --------------------------------------------------------------------------------


def test_veto_makes_a_teacher_ineligible_for_title_promotion_with_the_reason(year, bureau, teacher):
    factories.make_record(teacher, "T-PAPER-FRAUD", by=bureau)
    recompute_year(year=year)
    answer = check_eligibility(teacher, Purpose.TITLE_PROMOTION, year)
    assert answer.eligible is False
    assert any("论文作假" in reason and "职称评聘" in reason for reason in answer.reasons)
    # …and the next year too
    assessment_services.ensure_year(year=year + 1)
    assert check_eligibility(teacher, Purpose.TITLE_PROMOTION, year + 1).eligible is False
    assert check_eligibility(teacher, Purpose.TITLE_PROMOTION, year + 2).eligible is True


def test_eligibility_for_a_list_answers_each_with_reasons_in_fixed_queries(
    year, bureau, school, django_assert_max_num_queries
):
    clean = factories.make_teacher(school, "清白")
    vetoed = factories.make_teacher(school, "违规")
    factories.make_record(vetoed, "T-CREDENTIAL-FRAUD", by=bureau)
    excellent = factories.make_teacher(school, "优秀")
    factories.make_record(excellent, "T-ETHICS-COMMENDATION", by=bureau)
    recompute_year(year=year)
    with django_assert_max_num_queries(4):
        answers = check_eligibility_many([clean, vetoed, excellent], Purpose.AWARDS, year)
    by_name = {a.subject.name: a for a in answers}
    assert by_name["清白"].eligible and by_name["清白"].reasons
    assert not by_name["违规"].eligible
    assert by_name["优秀"].eligible and by_name["优秀"].preferred


def test_only_grade_a_students_may_be_integrity_stars(year, bureau, school):
    good = factories.make_student(school)
    factories.make_record(good, "ST-RETURNING-LOST-PROPERTY", by=bureau)
    poor = factories.make_student(school)
    for _ in range(3):
        factories.make_record(poor, "ST-EXAM-CHEATING", by=bureau)
    recompute_year(year=year)
    assert check_eligibility(good, Purpose.INTEGRITY_STAR, year).eligible
    answer = check_eligibility(poor, Purpose.INTEGRITY_STAR, year)
    assert not answer.eligible and "诚信之星" in answer.reasons[0]


# --- public lists -------------------------------------------------------------------------------


def test_black_list_masks_names_and_drops_records_under_objection_or_repaired(
    year, bureau, school, teacher, other_teacher, clock
):
    listed = factories.make_record(teacher, "T-CORPORAL-PUNISHMENT", by=bureau)
    objected = factories.make_record(other_teacher, "T-PAPER-FRAUD", by=bureau)
    dispute_services.file_objection(record=objected, by=other_teacher.user, reason="论文系本人所写")
    student = factories.make_student(school)
    factories.make_record(student, "ST-DISCIPLINE-PROBATION", by=bureau)
    entries = black_list()
    assert [e.name for e in entries] == ["王*师"]
    assert all(student.name not in e.name for e in entries)

    later = listed.published_at + datetime.timedelta(days=400)
    clock.move_to(later)
    application = dispute_services.apply_for_repair(
        record=listed, by=teacher.user, proof_kind="training", proof="x"
    )
    dispute_services.decide_repair(
        application=application, by=bureau, approve=True, reason="整改到位"
    )
    assert black_list() == []


def test_black_list_ends_with_the_disclosure_period(year, bureau, teacher):
    record = factories.make_record(teacher, "T-CORPORAL-PUNISHMENT", by=bureau)
    end = record.disclosure_ends_on()
    assert len(black_list(end)) == 1
    assert black_list(end + datetime.timedelta(days=1)) == []


def test_black_list_ends_each_record_with_its_own_items_disclosure_period(
    year, bureau, teacher, other_teacher
):
    CatalogItem.objects.filter(code="T-PAPER-FRAUD").update(disclosure_days=10)
    short = factories.make_record(other_teacher, "T-PAPER-FRAUD", by=bureau)
    factories.make_record(teacher, "T-CORPORAL-PUNISHMENT", by=bureau)
    end = short.disclosure_ends_on()
    assert {e.reason for e in black_list(end)} == {"论文作假", "体罚或变相体罚学生"}
    assert [e.reason for e in black_list(end + datetime.timedelta(days=1))] == [
        "体罚或变相体罚学生"
    ]


def test_red_list_shows_grade_a_teachers_and_schools_never_students(
    year, bureau, school, other_school, teacher
):
    student = factories.make_student(school)
    factories.make_record(student, "ST-INTEGRITY-STAR", by=bureau)
    factories.make_record(teacher, "T-ETHICS-COMMENDATION", by=bureau)
    factories.make_record(school, "S-COLLECTIVE-HONOUR", by=bureau)
    assessment_services.close_year(year=year, by=bureau)
    entries = red_list()
    names = {e.name for e in entries}
    assert "王老师" in names and school.name in names  # commended adults by name
    assert student.name not in names and all(e.kind != "student" for e in entries)
    # Graded A with no commendation: not on the red list (it is not "everyone without a record").
    assert AssessmentResult.objects.get(school=other_school, year_id=year).grade == Grade.A
    assert other_school.name not in names and len(entries) == 2


def _stored_results(year: int) -> list[tuple]:
    fields = ("school_id", "teacher_id", "student_id", "policy_id", "record_score")
    rest = ("evaluation_score", "total_score", "grade", "vetoed", "explanation")
    return sorted(
        str(row)
        for row in AssessmentResult.objects.filter(year_id=year).values_list(*fields, *rest)
    )


def test_recompute_after_each_change_equals_a_recompute_from_nothing(year, bureau, school, teacher):
    """The recompute writes only what changed; whatever changed, what it leaves must be what a
    recompute over an empty table would write."""
    student = factories.make_student(school)

    def recompute_and_compare():
        recompute_year(year=year)
        incremental = _stored_results(year)
        with transaction.atomic():
            AssessmentResult.objects.filter(year_id=year).delete()
            recompute_year(year=year)
            from_nothing = _stored_results(year)
            transaction.set_rollback(True)
        assert incremental == from_nothing
        return incremental

    first = recompute_and_compare()
    untouched = AssessmentResult.objects.get(student=student, year_id=year).computed_at
    record = factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    assert recompute_and_compare() != first
    # Only the teacher's result was rewritten; the student's base result was left alone.
    assert AssessmentResult.objects.get(student=student, year_id=year).computed_at == untouched
    # A commendation and a deduction of the same size: the base score, but not the plain result.
    praise = factories.make_record(student, "ST-INTEGRITY-STAR", by=bureau)
    factories.make_record(
        student, "ST-COPYING-HOMEWORK", by=bureau, points=-praise.points, points_reason="相抵"
    )
    recompute_and_compare()
    result = AssessmentResult.objects.get(student=student, year_id=year)
    assert result.record_score == current_policy(year).base_score
    assert len(result.explanation["lines"]) == 3
    objection = dispute_services.file_objection(record=record, by=teacher.user, reason="不属实")
    dispute_services.decide_objection(
        objection=objection, by=bureau, outcome="revoked", reason="撤销"
    )
    recompute_and_compare()
    newcomer = factories.make_student(school, name="新同学")
    recompute_and_compare()
    assert AssessmentResult.objects.filter(student=newcomer, year_id=year).exists()
    # One who leaves with nothing on the year's file leaves the year's results; one with
    # records keeps the result they earned.
    for leaver in (newcomer, student):
        leaver.status = "graduated"
        leaver.save(update_fields=["status"])
    recompute_and_compare()
    assert not AssessmentResult.objects.filter(student=newcomer, year_id=year).exists()
    assert AssessmentResult.objects.filter(student=student, year_id=year).exists()
    assessment_services.create_policy_version(
        year=year, by=bureau, note="提高优秀线", grade_a=Decimal(95)
    )
    recompute_and_compare()
    assert set(AssessmentResult.objects.filter(year_id=year).values_list("policy", flat=True)) == {
        current_policy(year).pk
    }
