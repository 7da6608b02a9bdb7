"""Rounds for every kind of subject: parents and the public rate a school, the class teacher
rates each student's conduct every term; a closed round feeds the subject's result by the
policy's weight (defaults: schools and students 30 % evaluation, 70 % record score). Anonymity,
minimum answers and weight sharing as for teachers. Figures worked out beside the asserts."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from evaluations.assessment import services as assessment_services
from evaluations.models import AssessmentResult, EvaluationRound, RaterGroup, SubjectKind
from evaluations.rounds import services
from tests import factories

YEAR = factories.YEAR


def _open_round(bureau, kind) -> EvaluationRound:
    return services.open_round(
        evaluation_round=factories.make_round(by=bureau, open_it=False, subject_kind=kind),
        by=bureau,
    )


def _rate_school(evaluation_round, group, school, classroom, scores, bureau):
    codes = services.generate_codes(
        evaluation_round=evaluation_round,
        by=bureau,
        group=group,
        school=school,
        classroom=classroom,
        count=len(scores),
    )
    for code, score in zip(codes, scores, strict=True):
        services.submit_answers(
            ratings=factories.ratings_for(evaluation_round, [school], score), code=code
        )


def test_parents_and_the_public_rate_a_school(client, bureau, school):
    assessment_services.ensure_year(year=YEAR)
    evaluation_round = _open_round(bureau, SubjectKind.SCHOOL)
    classroom = factories.make_classroom(school)
    # Five parents give 4 on every item: 80, enough answers to count. Two members of the public
    # give 1: fewer than five, not counted, their weight goes to the parents.
    _rate_school(evaluation_round, RaterGroup.PARENT, school, classroom, [4] * 4, bureau)
    code = services.generate_codes(
        evaluation_round=evaluation_round,
        by=bureau,
        group=RaterGroup.PARENT,
        school=school,
        classroom=classroom,
        count=1,
    )[0]
    page = client.get(reverse("survey:code", args=[code.code]))
    assert page.status_code == 200 and school.name in page.content.decode()
    items = evaluation_round.questionnaire.items.all()
    answer = {f"t{school.pk}_i{item.pk}": "4" for item in items}
    assert client.post(reverse("survey:code", args=[code.code]), answer).status_code == 302
    _rate_school(evaluation_round, RaterGroup.PUBLIC, school, None, [1, 1], bureau)

    assessment_services.close_round(evaluation_round=evaluation_round, by=bureau)
    result = AssessmentResult.objects.get(year_id=YEAR, school=school)
    assert result.evaluation_score == Decimal("80.00")
    # 100 × 70 % + 80 × 30 % = 70 + 24 = 94.00
    assert result.total_score == Decimal("94.00")
    assert "社会评价不足5份" in result.explanation["components"][1]["label"]


def test_a_school_round_takes_no_student_codes(bureau, school):
    assessment_services.ensure_year(year=YEAR)
    evaluation_round = _open_round(bureau, SubjectKind.SCHOOL)
    with pytest.raises(Exception, match="不使用这一评价组"):
        services.generate_codes(
            evaluation_round=evaluation_round,
            by=bureau,
            group=RaterGroup.STUDENT,
            school=school,
            classroom=factories.make_classroom(school),
            count=1,
        )


def test_the_class_teacher_rates_conduct_each_term(client, bureau, school, teacher):
    assessment_services.ensure_year(year=YEAR)
    classroom = factories.make_classroom(school, head_teacher=teacher)
    student = factories.make_student(school, classroom)
    evaluation_round = _open_round(bureau, SubjectKind.STUDENT)
    url = reverse("survey:conduct", args=[evaluation_round.pk, classroom.pk])
    items = evaluation_round.questionnaire.items.all()

    client.force_login(teacher.user)
    page = client.get(url, {"term": 1})
    assert page.status_code == 200 and student.name in page.content.decode()
    for term, score in ((1, "5"), (2, "3")):
        answer = {f"t{student.pk}_i{item.pk}": score for item in items}
        response = client.post(url, {"term": term, **answer})
        assert response.status_code == 302
    # A second answer for the same term keeps the first.
    client.post(url, {"term": 1, **{f"t{student.pk}_i{item.pk}": "1" for item in items}})

    assessment_services.close_round(evaluation_round=evaluation_round, by=bureau)
    result = AssessmentResult.objects.get(year_id=YEAR, student=student)
    # terms 5 and 3 on five items each: average 4 → 80; the class teacher's group counts from
    # one rater. 100 × 70 % + 80 × 30 % = 94.00
    assert result.evaluation_score == Decimal("80.00")
    assert result.total_score == Decimal("94.00")


def test_only_the_class_teacher_rates_the_class(bureau, school, teacher, other_teacher):
    assessment_services.ensure_year(year=YEAR)
    classroom = factories.make_classroom(school, head_teacher=teacher)
    student = factories.make_student(school, classroom)
    evaluation_round = _open_round(bureau, SubjectKind.STUDENT)
    ratings = factories.ratings_for(evaluation_round, [student], 5)
    for intruder in (other_teacher.user, factories.make_principal(school), bureau):
        with pytest.raises(PermissionDenied):
            services.record_conduct(
                evaluation_round=evaluation_round,
                by=intruder,
                classroom=classroom,
                term=1,
                ratings=ratings,
            )
