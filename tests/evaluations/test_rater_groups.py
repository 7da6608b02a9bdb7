"""Rater groups that can count: the principal's evaluation counts from one answer, a teacher's
own view alone gives no evaluation score, nobody is asked to rate themself, and a round asks as
many peers as a group needs. Expected figures are worked out beside each assertion (default
weights: self 0.1, peers 0.2, principal 0.2, students 0.2, parents 0.2, public 0.1; record weight
40 %, evaluation 60 %)."""

from decimal import Decimal

from django.db.models import F
from django.urls import reverse

from evaluations.assessment import services as assessment_services
from evaluations.models import AssessmentResult, RaterAssignment, RaterGroup
from evaluations.rounds import services
from tests import factories

YEAR = factories.YEAR


def _answer(evaluation_round, group, teacher, by, score):
    task = RaterAssignment.objects.get(round=evaluation_round, group=group, ratee=teacher)
    services.submit_answers(
        ratings=factories.ratings_for(evaluation_round, [teacher], score), assignment=task, by=by
    )


def _closed_round_result(bureau, evaluation_round, teacher) -> AssessmentResult:
    assessment_services.close_round(evaluation_round=evaluation_round, by=bureau)
    return AssessmentResult.objects.get(year_id=YEAR, teacher=teacher)


def test_a_teachers_own_view_alone_gives_no_evaluation_score(bureau, school, teacher):
    evaluation_round = factories.make_round(by=bureau)
    services.assign_raters(evaluation_round=evaluation_round, by=bureau)
    _answer(evaluation_round, RaterGroup.SELF, teacher, teacher.user, 5)  # 5 on every item

    result = _closed_round_result(bureau, evaluation_round, teacher)
    # Self alone does not count: no evaluation score, the composite is the record score (100).
    assert result.evaluation_score is None
    assert result.total_score == Decimal("100.00")
    label = result.explanation["components"][0]["label"]
    assert "除自评外没有达到份数的评价组" in label and "综合分即记录分" in label


def test_the_principals_single_answer_counts(bureau, school, teacher):
    principal = factories.make_principal(school)
    evaluation_round = factories.make_round(by=bureau)
    services.assign_raters(evaluation_round=evaluation_round, by=bureau)
    _answer(evaluation_round, RaterGroup.SELF, teacher, teacher.user, 5)  # 100
    _answer(evaluation_round, RaterGroup.PRINCIPAL, teacher, principal, 4)  # 80

    result = _closed_round_result(bureau, evaluation_round, teacher)
    # self 100 × 0.1/0.3 + principal 80 × 0.2/0.3 = 33.33 + 53.33 = 86.67
    assert result.evaluation_score == Decimal("86.67")
    # 100 × 40 % + 86.67 × 60 % = 40 + 52.00 = 92.00
    assert result.total_score == Decimal("92.00")


def test_nobody_is_asked_to_rate_themself(client, bureau, school, teacher, other_teacher):
    principal = factories.make_principal(school)
    school.principal_name = teacher.name  # 王老师 heads the school and teaches there
    school.save()
    evaluation_round = factories.make_round(by=bureau)
    services.assign_raters(evaluation_round=evaluation_round, by=bureau)
    tasks = RaterAssignment.objects.filter(round=evaluation_round, group=RaterGroup.PRINCIPAL)
    # The school's account rates the other teacher; the principal-teacher is rated by the bureau.
    assert {(t.ratee_id, t.rater_school_id) for t in tasks} == {
        (other_teacher.pk, school.pk),
        (teacher.pk, None),
    }
    peers = RaterAssignment.objects.filter(round=evaluation_round, group=RaterGroup.PEER)
    assert not peers.filter(rater_teacher_id=F("ratee_id")).exists()

    bureau_task = tasks.get(ratee=teacher)
    client.force_login(principal)  # not the school's task to answer
    assert client.get(reverse("survey:assignment", args=[bureau_task.pk])).status_code == 404
    client.force_login(bureau)
    listing = client.get(reverse("admin:evaluations_raterassignment_changelist"))
    assert reverse("survey:assignment", args=[bureau_task.pk]) in listing.content.decode()
    page = client.get(reverse("survey:assignment", args=[bureau_task.pk]))
    assert page.status_code == 200 and teacher.name in page.content.decode()
    _answer(evaluation_round, RaterGroup.PRINCIPAL, teacher, bureau, 4)
    result = _closed_round_result(bureau, evaluation_round, teacher)
    # principal group (the bureau's answer) 80 counts; self unanswered:
    # evaluation 80; 100 × 40 % + 80 × 60 % = 88.00
    assert (result.evaluation_score, result.total_score) == (Decimal("80.00"), Decimal("88.00"))


def test_a_round_asks_as_many_peers_as_a_group_needs(bureau, school):
    for n in range(7):
        factories.make_teacher(school, f"教师{n}", with_user=False)
    evaluation_round = factories.make_round(by=bureau)
    assert evaluation_round.peers_per_teacher == 5  # the policy's minimum of answers
    services.assign_raters(evaluation_round=evaluation_round, by=bureau)
    peers = RaterAssignment.objects.filter(round=evaluation_round, group=RaterGroup.PEER)
    assert peers.count() == 7 * 5
