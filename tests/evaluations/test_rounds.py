"""Evaluation rounds (测评): peer assignment, one-time codes, the anonymity threshold, and what a
closed round does to the annual assessment; degree verification."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from credit_registry.access import Role
from credit_registry.common.years import academic_year_of
from evaluations.assessment import services as assessment_services
from evaluations.assessment.scoring import recompute_year
from evaluations.assessment.services import create_policy_version, ensure_year
from evaluations.models import (
    AccessCode,
    Answer,
    AssessmentResult,
    CreditRecord,
    EvaluationRound,
    Questionnaire,
    RaterAssignment,
    RaterGroup,
    RecordStatus,
    Response,
    RoundStatus,
)
from evaluations.records import services as record_services
from evaluations.rounds import selectors, services
from evaluations.rounds import views as survey_views
from teachers.models import Degree, DegreeLevel, VerificationStatus
from tests import factories


@pytest.fixture(autouse=True)
def _fresh_cache(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def evaluation_round(bureau):
    return factories.make_round(by=bureau)


def _counts():
    return (Response.objects.count(), Answer.objects.count())


# --- peer assignment ---------------------------------------------------------------------------


@given(n=st.integers(min_value=1, max_value=40), k=st.integers(min_value=0, max_value=12))
def test_peer_circle_is_balanced_and_never_self(n, k):
    ids = list(range(100, 100 + n))
    pairs = services.peer_pairs(ids, k, seed="x")
    expected = min(k, n - 1)
    assert all(rater != ratee for rater, ratee in pairs)
    assert len(set(pairs)) == len(pairs)
    for teacher in ids:
        assert sum(1 for rater, _ in pairs if rater == teacher) == expected
        assert sum(1 for _, ratee in pairs if ratee == teacher) == expected


def test_peer_assignment_never_assigns_self_and_stays_inside_the_school(
    bureau, school, other_school
):
    big = [factories.make_teacher(school, f"甲{i}") for i in range(6)]
    small = [factories.make_teacher(other_school, f"乙{i}") for i in range(3)]
    alone = factories.make_teacher(factories.make_school(), "独")
    evaluation_round = factories.make_round(by=bureau, peers_per_teacher=3)

    summary = services.assign_raters(evaluation_round=evaluation_round, by=bureau)

    peers = RaterAssignment.objects.filter(round=evaluation_round, group=RaterGroup.PEER)
    assert summary.peer_created == 6 * 3 + 3 * 2 == peers.count()
    for assignment in peers.select_related("rater_teacher", "ratee"):
        assert assignment.rater_teacher_id != assignment.ratee_id
        assert assignment.rater_teacher.school_id == assignment.ratee.school_id
    for group, k in ((big, 3), (small, 2)):
        for teacher in group:
            assert peers.filter(rater_teacher=teacher).count() == k
            assert peers.filter(ratee=teacher).count() == k
    assert not peers.filter(ratee=alone).exists()
    everyone = RaterAssignment.objects.filter(round=evaluation_round)
    assert everyone.filter(group=RaterGroup.SELF).count() == 10
    assert everyone.filter(group=RaterGroup.PRINCIPAL, rater_school=school).count() == 6

    again = services.assign_raters(evaluation_round=evaluation_round, by=bureau)
    assert (again.self_created, again.peer_created, again.principal_created) == (0, 0, 0)


def test_only_the_bureau_opens_assigns_and_closes(principal, teacher, evaluation_round):
    for user in (principal, teacher.user):
        with pytest.raises(PermissionDenied):
            services.assign_raters(evaluation_round=evaluation_round, by=user)
        with pytest.raises(PermissionDenied):
            assessment_services.close_round(evaluation_round=evaluation_round, by=user)


# --- one-time codes ----------------------------------------------------------------------------


def test_codes_are_unambiguous_and_unique(bureau, school, evaluation_round):
    classroom = factories.make_classroom(school)
    codes = services.generate_codes(
        evaluation_round=evaluation_round,
        by=bureau,
        group=RaterGroup.STUDENT,
        school=school,
        classroom=classroom,
        count=200,
    )
    texts = [c.code for c in codes]
    assert len(set(texts)) == 200
    assert all(len(t) == 10 and not set(t) & set("0O1IL") for t in texts)


def test_a_principal_makes_codes_for_own_school_only(
    principal, school, other_school, evaluation_round
):
    own = factories.make_classroom(school)
    other = factories.make_classroom(other_school)
    made = services.generate_codes(
        evaluation_round=evaluation_round,
        by=principal,
        group=RaterGroup.PARENT,
        school=school,
        classroom=own,
        count=3,
    )
    assert len(made) == 3
    with pytest.raises(PermissionDenied):
        services.generate_codes(
            evaluation_round=evaluation_round,
            by=principal,
            group=RaterGroup.PARENT,
            school=other_school,
            classroom=other,
            count=3,
        )
    with pytest.raises(ValidationError):  # another school's class under own school
        services.generate_codes(
            evaluation_round=evaluation_round,
            by=principal,
            group=RaterGroup.STUDENT,
            school=school,
            classroom=other,
            count=3,
        )


def test_a_code_answers_once(bureau, teacher, evaluation_round):
    (code,) = factories.answer_with_codes(
        evaluation_round, group=RaterGroup.STUDENT, teacher=teacher, scores=[4], by=bureau
    )
    before = _counts()
    with pytest.raises(selectors.CodeRefused) as refused:
        services.submit_answers(
            ratings=factories.ratings_for(evaluation_round, [teacher], 1), code=code
        )
    assert refused.value.code == "used"
    assert _counts() == before


def test_answers_of_code_groups_name_nobody(bureau, teacher, evaluation_round):
    factories.answer_with_codes(
        evaluation_round, group=RaterGroup.PARENT, teacher=teacher, scores=[5], by=bureau
    )
    response = Response.objects.get()
    assert response.assignment_id is None
    assert {f.name for f in Response._meta.get_fields()} == {
        "id",
        "round",
        "group",
        "ratee",  # the one rated (a teacher, a school or a student), never the rater
        "ratee_school",
        "ratee_student",
        "term",
        "assignment",
        "submitted_on",
        "answers",
    }


def test_incomplete_or_out_of_range_answers_write_nothing(
    bureau, school, teacher, evaluation_round
):
    classroom = factories.make_classroom(school)
    (code,) = services.generate_codes(
        evaluation_round=evaluation_round,
        by=bureau,
        group=RaterGroup.STUDENT,
        school=school,
        classroom=classroom,
        count=1,
    )
    items = list(evaluation_round.questionnaire.items.values_list("pk", flat=True))
    outsider = factories.make_teacher(factories.make_school(), "外校")
    bad = [
        {teacher.pk: {items[0]: 5}},
        {teacher.pk: dict.fromkeys(items, 6)},
        {outsider.pk: dict.fromkeys(items, 5)},
        {},
    ]
    for ratings in bad:
        with pytest.raises(ValidationError):
            services.submit_answers(ratings=ratings, code=code)
    code.refresh_from_db()
    assert code.used_at is None
    assert _counts() == (0, 0)


def test_used_forged_and_expired_codes_are_refused_on_the_page(
    client, bureau, school, teacher, evaluation_round
):
    classroom = factories.make_classroom(school, head_teacher=teacher)
    fresh, expired = services.generate_codes(
        evaluation_round=evaluation_round,
        by=bureau,
        group=RaterGroup.STUDENT,
        school=school,
        classroom=classroom,
        count=2,
    )
    AccessCode.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    url = reverse("survey:code", args=[fresh.code])
    page = client.get(url)
    assert page.status_code == 200 and "班主任" in page.content.decode()
    data = {"teachers": [teacher.pk]}
    for item in evaluation_round.questionnaire.items.all():
        data[f"t{teacher.pk}_i{item.pk}"] = "5"
    response = client.post(url, data)
    assert response.status_code == 302 and response.url == reverse("survey:thanks")
    assert _counts() == (1, 5)

    again = client.post(url, data)
    assert again.status_code == 410 and "已经使用过" in again.content.decode()
    lowercase = client.get(reverse("survey:code", args=[fresh.code.lower()]))
    assert lowercase.status_code == 410
    forged = client.post(reverse("survey:code", args=["ABCDEFGHJK"]), data)
    assert forged.status_code == 404 and "测评码无效" in forged.content.decode()
    assert client.get(reverse("survey:code", args=["<script>"])).status_code == 404
    late = client.post(reverse("survey:code", args=[expired.code]), data)
    assert late.status_code == 410 and "已过期" in late.content.decode()
    assert _counts() == (1, 5)
    expired.refresh_from_db()
    assert expired.used_at is None


def test_a_closed_round_refuses_its_codes(client, bureau, school, teacher, evaluation_round):
    classroom = factories.make_classroom(school)
    (code,) = services.generate_codes(
        evaluation_round=evaluation_round,
        by=bureau,
        group=RaterGroup.STUDENT,
        school=school,
        classroom=classroom,
        count=1,
    )
    assessment_services.close_round(evaluation_round=evaluation_round, by=bureau)
    response = client.get(reverse("survey:code", args=[code.code]))
    assert response.status_code == 410 and "已结束" in response.content.decode()


def test_guessing_codes_is_rate_limited(client, bureau, school, evaluation_round):
    classroom = factories.make_classroom(school)
    (code,) = services.generate_codes(
        evaluation_round=evaluation_round,
        by=bureau,
        group=RaterGroup.STUDENT,
        school=school,
        classroom=classroom,
        count=1,
    )
    guard = survey_views.SURVEY_CODES
    for n in range(guard.misses_per_browser - 1):
        assert client.get(reverse("survey:code", args=[f"GUESS{n:05d}"])).status_code == 404
    assert client.get(reverse("survey:code", args=["GUESSAGAIN"])).status_code == 429
    # Once over the limit even a good code is refused to that browser: guessing learns nothing.
    assert client.get(reverse("survey:code", args=[code.code])).status_code == 429
    # Someone else on the same network (same address, own browser) is not refused.
    assert Client().get(reverse("survey:code", args=[code.code])).status_code == 200


def test_the_enter_page_takes_a_typed_code(client, bureau, school, evaluation_round):
    classroom = factories.make_classroom(school)
    (code,) = services.generate_codes(
        evaluation_round=evaluation_round,
        by=bureau,
        group=RaterGroup.STUDENT,
        school=school,
        classroom=classroom,
        count=1,
    )
    response = client.get(reverse("survey:enter"), {"code": f" {code.code.lower()} "})
    assert response.status_code == 302
    assert response.url == reverse("survey:code", args=[code.code])


# --- the public link ---------------------------------------------------------------------------


def test_the_public_link_is_signed_and_rate_limited(client, school, teacher, evaluation_round):
    token = selectors.public_link_token(evaluation_round, school)
    url = reverse("survey:public", args=[evaluation_round.pk, school.pk, token])
    data = {"teachers": [teacher.pk]}
    for item in evaluation_round.questionnaire.items.all():
        data[f"t{teacher.pk}_i{item.pk}"] = "4"
    forged = reverse("survey:public", args=[evaluation_round.pk, school.pk, "0" * 20])
    assert client.post(forged, data).status_code == 404
    assert _counts() == (0, 0)
    page = client.get(url)
    assert page.status_code == 200 and teacher.name not in page.content.decode()  # masked
    for _ in range(services.PUBLIC_SUBMISSIONS_PER_HOUR):
        assert client.post(url, data).status_code == 302
    refused = client.post(url, data)
    assert refused.status_code == 429 and "提交过于频繁" in refused.content.decode()
    assert Response.objects.filter(group=RaterGroup.PUBLIC).count() == 30
    other_address = client.post(url, data, REMOTE_ADDR="10.9.8.7")
    assert other_address.status_code == 302


# --- assignments -------------------------------------------------------------------------------


def test_an_assignment_is_answered_once_by_its_rater_only(
    bureau, teacher, other_teacher, evaluation_round
):
    services.assign_raters(evaluation_round=evaluation_round, by=bureau)
    own = RaterAssignment.objects.get(group=RaterGroup.SELF, ratee=teacher)
    ratings = factories.ratings_for(evaluation_round, [teacher], 4)
    with pytest.raises(PermissionDenied):
        services.submit_answers(ratings=ratings, assignment=own, by=other_teacher.user)
    services.submit_answers(ratings=ratings, assignment=own, by=teacher.user)
    with pytest.raises(ValidationError):
        services.submit_answers(ratings=ratings, assignment=own, by=teacher.user)
    assert Response.objects.filter(assignment=own).count() == 1
    peer = RaterAssignment.objects.get(group=RaterGroup.PEER, rater_teacher=teacher)
    with pytest.raises(ValidationError):  # a peer task rates its ratee, nobody else
        services.submit_answers(
            ratings=factories.ratings_for(evaluation_round, [teacher], 5),
            assignment=peer,
            by=teacher.user,
        )


def test_a_principal_rates_every_teacher_on_one_page_row_by_row(
    client, bureau, school, principal, teacher, other_teacher, other_school, evaluation_round
):
    third = factories.make_teacher(school, "赵老师")
    factories.make_teacher(other_school, "外校老师")
    services.assign_raters(evaluation_round=evaluation_round, by=bureau)
    items = list(evaluation_round.questionnaire.items.values_list("pk", flat=True))
    url = reverse("survey:principal_evaluations", args=[evaluation_round.pk])
    client.force_login(principal)
    assert url in client.get(reverse("survey:school")).content.decode()
    page = client.get(url)
    assert [label for label, _fields in page.context["form"].rows()] == sorted(
        label for label, _fields in page.context["form"].rows()
    )
    assert {t.pk for t in page.context["form"].teachers} == {teacher.pk, other_teacher.pk, third.pk}
    assert "外校老师" not in page.content.decode()

    def field(who, item):
        return f"t{who.pk}_i{item}"

    data = {field(teacher, item): "4" for item in items}  # complete
    data[field(other_teacher, items[0])] = "5"  # begun
    answered = client.post(url, data)  # the third teacher left for later
    assert answered.status_code == 200
    done = RaterAssignment.objects.filter(group=RaterGroup.PRINCIPAL, answered_at__isnull=False)
    assert list(done.values_list("ratee", flat=True)) == [teacher.pk]
    response = Response.objects.get(group=RaterGroup.PRINCIPAL)
    assert response.ratee == teacher and response.answers.count() == len(items)
    form = answered.context["form"]
    assert {t.pk for t in form.teachers} == {other_teacher.pk, third.pk}
    assert form[field(other_teacher, items[0])].value() == "5"  # kept as typed
    assert form.errors[field(other_teacher, items[1])] == ["请选择评分"]
    assert field(third, items[0]) not in form.errors
    assert [task.ratee for task in answered.context["done"]] == [teacher]

    rest = {field(other_teacher, item): "5" for item in items}
    assert client.post(url, rest)["Location"] == url
    again = client.get(url)
    assert len(again.context["done"]) == 2 and len(again.context["form"].teachers) == 1
    assert Response.objects.filter(group=RaterGroup.PRINCIPAL).count() == 2


def test_the_one_page_rates_only_the_principals_own_tasks(
    bureau, school, principal, teacher, other_school, evaluation_round
):
    outsider = factories.make_teacher(other_school, "外校老师")
    services.assign_raters(evaluation_round=evaluation_round, by=bureau)
    with pytest.raises(PermissionDenied):
        services.submit_principal_evaluations(
            evaluation_round=evaluation_round,
            by=principal,
            ratings=factories.ratings_for(evaluation_round, [teacher, outsider], 5),
        )
    assert not Response.objects.exists()


# --- the threshold and the annual assessment ---------------------------------------------------


def test_a_group_under_the_threshold_is_hidden_and_its_weight_moves():
    weights = {
        RaterGroup.SELF: Decimal("0.10"),
        RaterGroup.PEER: Decimal("0.20"),
        RaterGroup.STUDENT: Decimal("0.30"),
        RaterGroup.PARENT: Decimal("0.40"),
    }
    tallies = {
        RaterGroup.SELF: selectors.GroupTally(1, 20, 5),  # 4.00 → 80
        RaterGroup.PEER: selectors.GroupTally(4, 100, 20),  # 4 answers: under 5
        RaterGroup.STUDENT: selectors.GroupTally(6, 150, 30),  # 5.00 → 100
        RaterGroup.PARENT: selectors.GroupTally(5, 75, 25),  # 3.00 → 60
    }
    groups, score = selectors.combine_groups(weights=weights, tallies=tallies, min_answers=5)
    by_group = {g.group: g for g in groups}
    assert not by_group[RaterGroup.PEER].shown and not by_group[RaterGroup.PEER].counted
    assert by_group[RaterGroup.PEER].average is None and by_group[RaterGroup.PEER].score is None
    assert by_group[RaterGroup.SELF].counted  # the teacher's own answer needs no anonymity
    # 0.2 of weight shared by the others in proportion: 0.1, 0.3, 0.4 of 0.8
    assert by_group[RaterGroup.STUDENT].share == Decimal("0.375")
    assert score == Decimal("80") * Decimal("0.125") + Decimal("100") * Decimal("0.375") + Decimal(
        "60"
    ) * Decimal("0.5")
    _, nobody = selectors.combine_groups(weights=weights, tallies={}, min_answers=5)
    assert nobody is None


def _result(teacher, year):
    return AssessmentResult.objects.get(teacher=teacher, year_id=year)


def test_closing_a_round_changes_the_annual_score_as_the_policy_says(
    bureau, school, teacher, other_teacher
):
    evaluation_round = factories.make_round(by=bureau)
    year = evaluation_round.year_id
    services.assign_raters(evaluation_round=evaluation_round, by=bureau)
    own = RaterAssignment.objects.get(group=RaterGroup.SELF, ratee=teacher)
    services.submit_answers(
        ratings=factories.ratings_for(evaluation_round, [teacher], 4),
        assignment=own,
        by=teacher.user,
    )
    factories.answer_with_codes(
        evaluation_round, group=RaterGroup.STUDENT, teacher=teacher, scores=[5] * 5, by=bureau
    )
    factories.answer_with_codes(
        evaluation_round, group=RaterGroup.PARENT, teacher=teacher, scores=[2, 2], by=bureau
    )
    recompute_year(year=year)
    before = _result(teacher, year)
    assert before.evaluation_score is None and before.total_score == Decimal("100.00")
    assert selectors.evaluation_scores(year) == {}  # an open round feeds nothing

    assessment_services.close_round(evaluation_round=evaluation_round, by=bureau)

    after = _result(teacher, year)
    # self 80 (weight .1) and students 100 (weight .2) count; parents (2 < 5) do not:
    # 80 × 1/3 + 100 × 2/3 = 93.33; total 100 × 40% + 93.33 × 60% = 96.00
    assert after.evaluation_score == Decimal("93.33")
    assert after.total_score == Decimal("96.00")
    evaluation_line = after.explanation["components"][1]["label"]
    counted, *dropped = evaluation_line.split("；")
    assert "学生评价100.00" in counted and "家长评价" not in counted
    assert "家长评价" in "；".join(dropped) and "不足5份" in "；".join(dropped)
    assert _result(other_teacher, year).evaluation_score is None  # nobody rated them


def test_the_policy_threshold_and_weights_decide(bureau, teacher):
    evaluation_round = factories.make_round(by=bureau)
    year = evaluation_round.year_id
    create_policy_version(
        year=year,
        by=bureau,
        note="测评组2份即可；测评占50%",
        min_group_answers=2,
        evaluation_weight=Decimal("0.50"),
        record_weight=Decimal("0.50"),
    )
    factories.answer_with_codes(
        evaluation_round, group=RaterGroup.STUDENT, teacher=teacher, scores=[5] * 5, by=bureau
    )
    factories.answer_with_codes(
        evaluation_round, group=RaterGroup.PARENT, teacher=teacher, scores=[2, 2], by=bureau
    )
    assessment_services.close_round(evaluation_round=evaluation_round, by=bureau)
    result = _result(teacher, year)
    # students 100 and parents 40, equal weights: 70; total 100 × 50% + 70 × 50% = 85
    assert result.evaluation_score == Decimal("70.00")
    assert result.total_score == Decimal("85.00")


# --- races -------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row-level locking needs PostgreSQL")
def test_a_code_answered_twice_at_once_is_used_once():
    bureau = factories.make_user("race_bureau", role=Role.BUREAU_ADMIN)
    teacher = factories.make_teacher(factories.make_school())
    evaluation_round = factories.make_round(by=bureau)
    (code,) = services.generate_codes(
        evaluation_round=evaluation_round,
        by=bureau,
        group=RaterGroup.PUBLIC,
        school=teacher.school,
        count=1,
    )
    ratings = factories.ratings_for(evaluation_round, [teacher], 5)
    barrier = threading.Barrier(2)
    outcomes = []

    def answer():
        try:
            barrier.wait()
            services.submit_answers(ratings=ratings, code=code)
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=answer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert Response.objects.count() == 1 and Answer.objects.count() == 5


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row-level locking needs PostgreSQL")
def test_no_answer_lands_after_the_round_is_closed():
    bureau = factories.make_user("race_bureau2", role=Role.BUREAU_ADMIN)
    teacher = factories.make_teacher(factories.make_school())
    evaluation_round = factories.make_round(by=bureau)
    codes = services.generate_codes(
        evaluation_round=evaluation_round,
        by=bureau,
        group=RaterGroup.PUBLIC,
        school=teacher.school,
        count=8,
    )
    ratings = factories.ratings_for(evaluation_round, [teacher], 5)
    barrier = threading.Barrier(len(codes) + 1)

    def answer(code):
        try:
            barrier.wait()
            services.submit_answers(ratings=ratings, code=code)
        except ValidationError:
            pass
        finally:
            connections.close_all()

    def close():
        try:
            barrier.wait()
            assessment_services.close_round(evaluation_round=evaluation_round, by=bureau)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=answer, args=[c]) for c in codes]
    threads.append(threading.Thread(target=close))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stored = AssessmentResult.objects.get(teacher=teacher, year_id=evaluation_round.year_id)
    now = selectors.evaluation_scores(evaluation_round.year_id).get(teacher.pk)
    assert stored.evaluation_score == (now[0] if now else None)
    assert Response.objects.count() == AccessCode.objects.filter(used_at__isnull=False).count()


# --- degree verification -----------------------------------------------------------------------


def _degree(teacher, number="1038112019000123"):
    return Degree.objects.create(
        teacher=teacher,
        level=DegreeLevel.BACHELOR,
        institution="闽江学院",
        certificate_number=number,
    )


def test_a_forged_degree_proposes_the_credential_fraud_record(bureau, teacher):
    degree = _degree(teacher)
    with pytest.raises(ValidationError):
        record_services.verify_degree(degree=degree, by=bureau, status=VerificationStatus.FORGED)
    degree, record = record_services.verify_degree(
        degree=degree, by=bureau, status=VerificationStatus.FORGED, note="学信网查无此证"
    )
    assert degree.verification_status == VerificationStatus.FORGED
    assert degree.verified_by == bureau and degree.verified_at is not None
    assert record.item.code == "T-CREDENTIAL-FRAUD" and record.teacher == teacher
    assert record.status == RecordStatus.SUBMITTED and "1038112019000123" in record.narrative
    _, again = record_services.verify_degree(
        degree=degree, by=bureau, status=VerificationStatus.FORGED, note="复核仍为造假"
    )
    assert again is None
    assert CreditRecord.objects.filter(teacher=teacher).count() == 1


def test_only_the_bureau_verifies_degrees(principal, teacher):
    degree = _degree(teacher)
    for user in (principal, teacher.user):
        with pytest.raises(PermissionDenied):
            record_services.verify_degree(
                degree=degree, by=user, status=VerificationStatus.VERIFIED
            )
    degree.refresh_from_db()
    assert degree.verification_status == VerificationStatus.PENDING


def test_degree_admin_actions(client, bureau, teacher):
    verified, forged = _degree(teacher, "A1"), _degree(teacher, "A2")
    client.force_login(bureau)
    url = reverse("admin:teachers_degree_changelist")
    client.post(url, {"action": "mark_degrees_verified", "_selected_action": [verified.pk]})
    form = client.post(url, {"action": "mark_degrees_forged", "_selected_action": [forged.pk]})
    assert form.status_code == 200 and "核查情况" in form.content.decode()
    client.post(
        url,
        {
            "action": "mark_degrees_forged",
            "_selected_action": [forged.pk],
            "_confirm": "1",
            "note": "证书编号不存在",
        },
    )
    verified.refresh_from_db()
    forged.refresh_from_db()
    assert verified.verification_status == VerificationStatus.VERIFIED
    assert forged.verification_status == VerificationStatus.FORGED
    assert CreditRecord.objects.filter(teacher=teacher, item__code="T-CREDENTIAL-FRAUD").exists()


# --- the bureau's admin pages ------------------------------------------------------------------


def test_the_bureau_runs_a_round_from_the_admin_site(
    client, bureau, school, teacher, other_teacher
):
    year = academic_year_of(timezone.localdate())
    ensure_year(year=year)
    questionnaire = Questionnaire.objects.get(subject_kind="teacher").pk
    client.force_login(bureau)
    response = client.post(
        reverse("admin:evaluations_evaluationround_add"),
        {
            "year": year,
            "subject_kind": "teacher",
            "name": "全区教师师德测评",
            "questionnaire": questionnaire,
            "closes_on": (timezone.localdate() + datetime.timedelta(days=20)).isoformat(),
            "peers_per_teacher": 3,
            "weight_self": "0.1",
            "weight_peer": "0.2",
            "weight_principal": "0.2",
            "weight_student": "0.2",
            "weight_parent": "0.2",
            "weight_public": "0.1",
            "weight_class_teacher": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    evaluation_round = EvaluationRound.objects.get()
    changelist = reverse("admin:evaluations_evaluationround_changelist")
    for action in ("open_rounds", "assign_raters"):
        client.post(changelist, {"action": action, "_selected_action": [evaluation_round.pk]})
    assert RaterAssignment.objects.filter(group=RaterGroup.PEER).count() == 2
    client.post(
        changelist,
        {
            "action": "generate_codes",
            "_selected_action": [evaluation_round.pk],
            "_confirm": "1",
            "group": "public",
            "per_class": 4,
            "schools": [school.pk],
        },
    )
    assert AccessCode.objects.filter(school=school, group="public").count() == 4
    listing = client.get(changelist).content.decode()
    assert "社会评价 0/4" in listing and "自评 0/2" in listing
    codes = client.get(reverse("admin:evaluations_accesscode_changelist")).content.decode()
    assert reverse("survey:sheet", args=[evaluation_round.pk, school.pk]) in codes
    confirm = client.post(
        changelist, {"action": "close_rounds", "_selected_action": [evaluation_round.pk]}
    )
    assert confirm.status_code == 200
    evaluation_round.refresh_from_db()
    assert evaluation_round.status == RoundStatus.OPEN
    client.post(
        changelist,
        {"action": "close_rounds", "_selected_action": [evaluation_round.pk], "_confirm": "1"},
    )
    evaluation_round.refresh_from_db()
    assert evaluation_round.status == RoundStatus.CLOSED
    second = client.post(
        reverse("admin:evaluations_evaluationround_add"),
        {
            "year": year,
            "name": "再来一次",
            "questionnaire": questionnaire,
            "closes_on": "2099-01-01",
        },
    )
    assert second.status_code == 200 and "已有教师测评轮次" in second.content.decode()
