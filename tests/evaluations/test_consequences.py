"""Scores, grades, eligibility and lists follow the records at once, by the default rules
(fixtures/policy.json): base 100; A ≥ 90 only without a counting negative record in the year,
B ≥ 75, C ≥ 60, D below; a severe veto record makes D; any counting negative record bars
评优评先 (students: 诚信之星) that year; a teacher's sanction bars 职称评聘, 职务晋升 and
评优评先 for its period. Every expected figure is worked out by hand beside the assertion; no
test calls a recompute itself."""

import datetime
import io
import zoneinfo
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from evaluations.assessment import lists
from evaluations.assessment.eligibility import check_eligibility
from evaluations.assessment.scoring import recompute_year, score_subject
from evaluations.disputes import services as dispute_services
from evaluations.models import (
    AssessmentPolicy,
    AssessmentResult,
    CreditRecord,
    Grade,
    Purpose,
)
from evaluations.models.records import add_months
from schools.models import Ownership, SchoolKind
from tests import factories

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
YEAR = factories.YEAR


def result(subject) -> AssessmentResult:
    field = subject._meta.model_name
    return AssessmentResult.objects.get(year_id=YEAR, **{field: subject})


def standing(subject) -> tuple[Decimal, str]:
    found = result(subject)
    return found.total_score, found.grade


def eligible(subject, purpose) -> bool:
    return check_eligibility(subject, purpose, YEAR).eligible


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def student(school):
    return factories.make_student(school)


@pytest.fixture
def institution(db):
    return factories.make_school(
        "蕉城区启明培训学校", kind=SchoolKind.TRAINING, ownership=Ownership.PRIVATE
    )


@pytest.fixture
def year(bureau, school, teacher, student, institution):
    """The year opened once the district's people exist: everyone starts at 100, A."""
    from evaluations.assessment import services

    services.ensure_year(year=YEAR)
    recompute_year(year=YEAR)
    return YEAR


def test_a_teacher_through_publish_objection_amendment_and_repair(
    client, clock, year, bureau, teacher
):
    client.force_login(teacher.user)
    assert standing(teacher) == (Decimal("100.00"), Grade.A)

    # Published: 100 − 10 = 90. 90 reaches A's bound, but the year has a negative record: B.
    record = factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    assert standing(teacher) == (Decimal("90.00"), Grade.B)
    assert not eligible(teacher, Purpose.AWARDS)  # a counting negative record this year
    assert eligible(teacher, Purpose.TITLE_PROMOTION)  # no D, no veto, no sanction
    assert not check_eligibility(teacher, Purpose.TITLE_PROMOTION, YEAR).preferred  # not A
    page = client.get(reverse("teachers:my_file")).content.decode()
    assert "90.00" in page and f"#{record.pk}" in page

    # Under objection it still counts: unchanged.
    objection = dispute_services.file_objection(record=record, by=teacher.user, reason="有误")
    assert standing(teacher) == (Decimal("90.00"), Grade.B)

    # Amended to −2: the original no longer counts, the amendment does: 100 − 2 = 98, still B.
    dispute_services.decide_objection(
        objection=objection, by=bureau, outcome="amended", reason="核减", points=Decimal(-2)
    )
    amendment = CreditRecord.objects.get(amends=record)
    found = result(teacher)
    assert (found.total_score, found.grade) == (Decimal("98.00"), Grade.B)
    counted = [line["record"] for line in found.explanation["lines"] if line["record"]]
    assert counted == [amendment.pk]
    pdf = pdf_text(client.post(reverse("reports:teacher_file", args=[teacher.pk])).content)
    assert "98.00" in pdf and "90.00" not in pdf

    # Repaired once the item's 90 days are over: nothing counts any more: 100, A, preferred.
    clock.move_to(amendment.repairable_from)
    client.force_login(teacher.user)
    application = dispute_services.apply_for_repair(
        record=amendment, by=teacher.user, proof_kind="training", proof="参加师德专题培训"
    )
    dispute_services.decide_repair(application=application, by=bureau, approve=True, reason="同意")
    assert standing(teacher) == (Decimal("100.00"), Grade.A)
    answer = check_eligibility(teacher, Purpose.AWARDS, YEAR)
    assert answer.eligible and answer.preferred
    assert answer.answer == "可以（同等条件优先）"
    page = client.get(reverse("teachers:my_file")).content.decode()
    assert "100.00" in page


def test_a_student_through_publish_objection_decision_and_repair(
    clock, year, bureau, school, student
):
    assert eligible(student, Purpose.INTEGRITY_STAR)  # A: 100, nothing against

    # 考试作弊 −5: 95, B (a negative record); no 评优评先, no 诚信之星.
    record = factories.make_record(student, "ST-EXAM-CHEATING", by=bureau)
    assert standing(student) == (Decimal("95.00"), Grade.B)
    assert not eligible(student, Purpose.AWARDS)
    star = check_eligibility(student, Purpose.INTEGRITY_STAR, YEAR)
    assert not star.eligible and any("考试作弊" in reason for reason in star.reasons)

    # The school objects for the student; the bureau upholds the record: unchanged.
    principal = factories.make_principal(school)
    objection = dispute_services.file_objection(record=record, by=principal, reason="有误")
    assert standing(student) == (Decimal("95.00"), Grade.B)
    dispute_services.decide_objection(
        objection=objection, by=bureau, outcome="upheld", reason="监考记录属实"
    )
    assert standing(student) == (Decimal("95.00"), Grade.B)
    assert not eligible(student, Purpose.INTEGRITY_STAR)

    # The school applies for repair after 90 days; approved: 100, A, eligible again.
    clock.move_to(record.repairable_from)
    application = dispute_services.apply_for_repair(
        record=record, by=principal, proof_kind="commitment", proof="签署诚信承诺书"
    )
    dispute_services.decide_repair(application=application, by=bureau, approve=True, reason="同意")
    assert standing(student) == (Decimal("100.00"), Grade.A)
    assert eligible(student, Purpose.INTEGRITY_STAR) and eligible(student, Purpose.AWARDS)


def test_a_training_institution_graded_d_is_listed_until_the_veto_is_revoked(
    year, bureau, institution
):
    assert standing(institution) == (Decimal("100.00"), Grade.A)
    assert institution.pk not in {r.school_id for r in lists.listed_institutions()}

    # 违规办学 −30, a severe veto: 70 and D; listed with 限期整改, and the record is blacklisted.
    record = factories.make_record(institution, "S-ILLEGAL-OPERATION", by=bureau)
    assert standing(institution) == (Decimal("70.00"), Grade.D)
    listed = lists.institution_entries(lists.listed_institutions())
    assert [e.name for e in listed] == [institution.name] and "限期整改" in listed[0].reason
    assert lists.black_list_records().filter(pk=record.pk).exists()
    assert not eligible(institution, Purpose.INSPECTION_QUALIFIED)

    # Revoked on objection: 100, A, off both lists.
    principal = factories.make_principal(institution)
    objection = dispute_services.file_objection(record=record, by=principal, reason="证照齐全")
    dispute_services.decide_objection(
        objection=objection, by=bureau, outcome="revoked", reason="经核实办学许可有效"
    )
    assert standing(institution) == (Decimal("100.00"), Grade.A)
    assert not lists.listed_institutions().exists()
    assert not lists.black_list_records().filter(pk=record.pk).exists()


def test_a_private_school_through_publish_objection_amendment_and_repair(
    clock, year, bureau, institution
):
    principal = factories.make_principal(institution)
    # 乱收费 −10: 90 reaches A's bound, but a negative record: B; no 评优评先.
    record = factories.make_record(institution, "S-ARBITRARY-FEES", by=bureau)
    assert standing(institution) == (Decimal("90.00"), Grade.B)
    assert not eligible(institution, Purpose.AWARDS)
    assert eligible(institution, Purpose.INSPECTION_QUALIFIED)  # no D, no veto

    # Objection, amended to −5: the original stops counting: 95, still B.
    objection = dispute_services.file_objection(record=record, by=principal, reason="已退费")
    assert standing(institution) == (Decimal("90.00"), Grade.B)
    dispute_services.decide_objection(
        objection=objection, by=bureau, outcome="amended", reason="已部分退费", points=Decimal(-5)
    )
    assert standing(institution) == (Decimal("95.00"), Grade.B)
    amendment = CreditRecord.objects.get(amends=record)

    # Repaired after 90 days: 100, A; on no list.
    clock.move_to(amendment.repairable_from)
    application = dispute_services.apply_for_repair(
        record=amendment, by=principal, proof_kind="commitment", proof="签署信用承诺书并全部退费"
    )
    dispute_services.decide_repair(application=application, by=bureau, approve=True, reason="同意")
    assert standing(institution) == (Decimal("100.00"), Grade.A)
    assert eligible(institution, Purpose.AWARDS)
    assert not lists.disclosure_records().filter(pk__in=[record.pk, amendment.pk]).exists()


def test_a_d_graded_public_school_is_not_on_the_institution_list(year, bureau, school):
    factories.make_record(school, "S-ILLEGAL-OPERATION", by=bureau)
    assert standing(school)[1] == Grade.D
    assert not lists.listed_institutions().exists()


@pytest.mark.parametrize(
    ("base", "grade"),
    [("90", Grade.A), ("89.99", Grade.B), ("75", Grade.B), ("74.99", Grade.C)]
    + [("60", Grade.C), ("59.99", Grade.D)],
)
def test_grade_bounds_are_inclusive(base, grade):
    policy = AssessmentPolicy(base_score=Decimal(base))  # defaults: A 90, B 75, C 60
    assert score_subject(policy=policy, records=()).grade == grade


def test_a_veto_year_bars_an_excellent_annual_review_this_year_and_the_next(year, bureau, teacher):
    factories.make_record(teacher, "T-CORPORAL-PUNISHMENT", by=bureau)
    assert standing(teacher) == (Decimal("85.00"), Grade.D)  # 100 − 15, vetoed
    assert not eligible(teacher, Purpose.ANNUAL_REVIEW_EXCELLENT)
    next_year = check_eligibility(teacher, Purpose.ANNUAL_REVIEW_EXCELLENT, YEAR + 1)
    assert not next_year.eligible
    assert check_eligibility(teacher, Purpose.TITLE_PROMOTION, YEAR + 2).eligible


def test_a_sanction_bars_promotion_for_its_period_only(clock, year, bureau, teacher):
    # 警告处分: −5 (95, B), and six months without 职称评聘, 职务晋升, 评优评先.
    record = factories.make_record(teacher, "T-SANCTION-WARNING", by=bureau)
    published_on = record.published_at.astimezone(SHANGHAI).date()
    assert record.sanction_until == add_months(published_on, 6)
    title = check_eligibility(teacher, Purpose.TITLE_PROMOTION, YEAR)
    assert not title.eligible and any("警告处分" in reason for reason in title.reasons)
    assert not eligible(teacher, Purpose.PROMOTION)

    # Next academic year, once the six months are over: promotion is open again (the record's
    # own year stays as it was).
    clock.move_to(
        datetime.datetime.combine(
            record.sanction_until + datetime.timedelta(days=1), datetime.time(9), SHANGHAI
        )
    )
    assert check_eligibility(teacher, Purpose.TITLE_PROMOTION, YEAR + 1).eligible
    assert not check_eligibility(teacher, Purpose.TITLE_PROMOTION, YEAR).eligible


def test_one_subjects_recompute_equals_the_districts(year, bureau, school, teacher, student):
    factories.make_record(teacher, "T-GIFTS", by=bureau)
    factories.make_record(teacher, "T-ETHICS-COMMENDATION", by=bureau)
    factories.make_record(student, "ST-RETURNING-LOST-PROPERTY", by=bureau)
    factories.make_record(school, "S-DISCLOSURE", by=bureau)
    fields = ("record_score", "evaluation_score", "total_score", "grade", "vetoed", "explanation")

    def rows():
        return {
            (r.school_id, r.teacher_id, r.student_id): tuple(getattr(r, f) for f in fields)
            for r in AssessmentResult.objects.filter(year_id=YEAR)
        }

    kept_current = rows()
    recompute_year(year=YEAR)
    assert rows() == kept_current


def test_a_preference_is_no_answer_for_one_barred_by_a_sanction(clock, year, bureau, teacher):
    # 降低岗位等级 in this year: 24 months without 评优评先. The next year has no record of its
    # own, so the teacher is graded A there, and grade A would give 同等条件优先 — but the
    # sanction still runs, and a file must not answer "no (preferred)".
    factories.make_record(teacher, "T-SANCTION-DEMOTION", by=bureau)
    clock.shift(datetime.timedelta(days=365))
    from evaluations.assessment import services

    services.ensure_year(year=YEAR + 1)
    recompute_year(year=YEAR + 1)  # the new year opened, as the ``year`` fixture opens its own
    assert standing_in(teacher, YEAR + 1) == (Decimal("100.00"), Grade.A)
    awards = check_eligibility(teacher, Purpose.AWARDS, YEAR + 1)
    assert awards.preferred and not awards.eligible
    assert awards.answer == "不可以"
    assert any("处分" in reason for reason in awards.reasons)


def standing_in(subject, year: int) -> tuple[Decimal, str]:
    found = AssessmentResult.objects.get(year_id=year, **{subject._meta.model_name: subject})
    return found.total_score, found.grade
