"""The main pages of every role come from the cache on a second visit, and never once anything
they show has changed (``credit_registry.freshness``): a decision made by a service, a change
made through any page, a year closed, the next day."""

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from credit_registry.models import AccessAction, AccessLog
from evaluations.assessment import services as assessment_services
from teachers.models import Degree, VerificationStatus
from tests import factories

YEAR = 2026
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

MAIN_PAGES = [
    ("teacher", "/teacher/"),
    ("principal", "/school/"),
    ("principal", "/school/teachers/"),
    ("principal", "/school/students/"),
    ("principal", "/school/records/?status="),
    ("bureau", "/admin/"),
    ("bureau", "/admin/evaluations/creditrecord/"),
    ("bureau", "/admin/teachers/teacher/"),
    ("bureau", "/admin/students/student/"),
    ("bureau", "/admin/evaluations/assessmentresult/"),
]


@pytest.fixture
def people(bureau, principal, teacher, school):
    assessment_services.ensure_year(year=YEAR)
    classroom = factories.make_classroom(school, teacher)
    student = factories.make_student(school, classroom, name="李小明")
    return {"bureau": bureau, "principal": principal, "teacher": teacher.user, "student": student}


def _read(client, url) -> tuple[str, str]:
    """The page and every statement it took but the one that looks up the newest rows."""
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    statements = [q["sql"] for q in context.captured_queries if "SELECT max(" not in q["sql"]]
    return response.content.decode(), " ".join(statements)


def _cached(client, user, url) -> str:
    """Signed in, the page visited until it comes from the cache (the first visit hands out the
    CSRF cookie a cached page needs)."""
    client.force_login(user)
    client.get(url)
    page, _ = _read(client, url)
    again, statements = _read(client, url)
    assert again == page
    assert "evaluations_creditrecord" not in statements, url  # served, not rendered
    return page


@pytest.mark.parametrize(("role", "url"), MAIN_PAGES)
def test_a_decision_shows_at_once_on_every_cached_page(
    client, people, role, url, django_capture_on_commit_callbacks
):
    """A record published against the teacher and one against the student, by the services
    alone (no page is posted): every main page shows them at the next visit."""
    before = _cached(client, people[role], url)
    with django_capture_on_commit_callbacks(execute=True):
        factories.make_record(people["teacher"].teacher, "T-PAPER-FRAUD", by=people["bureau"])
        factories.make_record(people["student"], "ST-EXAM-CHEATING", by=people["bureau"])
    after, _ = _read(client, url)
    assert after != before, url


def test_a_change_made_through_any_page_clears_every_cached_page(
    client, people, django_capture_on_commit_callbacks
):
    """An activity the principal registers keeps no history; the page that posted it moves the
    counter every cached page is checked against, once its change is committed."""
    before = _cached(client, people["principal"], "/school/")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("schools:activity_new"),
            {
                "kind": "class_meeting",
                "title": "春季诚信考试动员会",
                "held_on": "2026-03-10",
                "participants": "七年级全体学生",
                "participant_count": 40,
                "description": "班会讨论诚信考试。",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.get(response.url)  # the success message, shown once
    after, statements = _read(client, "/school/")
    assert "schools_integrityactivity" in statements  # rendered again
    assert "春季诚信考试动员会" not in before and "春季诚信考试动员会" in after


def test_the_next_day_renders_every_page_again(client, people, clock):
    """Periods and deadlines end at midnight (Asia/Shanghai): a page cached at 23:50 is
    rendered again at 00:10."""
    clock.move_to(datetime.datetime(2026, 3, 16, 23, 50, tzinfo=SHANGHAI))
    _cached(client, people["teacher"], "/teacher/")
    clock.shift(datetime.timedelta(minutes=20))
    _page, statements = _read(client, "/teacher/")
    assert "evaluations_creditrecord" in statements


def test_a_message_is_shown_once_and_never_cached(client, people, teacher):
    degree = Degree.objects.create(
        teacher=teacher, level="bachelor", institution="宁德师范学院", certificate_number="C1"
    )
    url = reverse("admin:teachers_degree_changelist")
    _cached(client, people["bureau"], url)
    response = client.post(
        url, {"action": "mark_degrees_verified", "_selected_action": [degree.pk]}, follow=True
    )
    degree.refresh_from_db()
    assert degree.verification_status == VerificationStatus.VERIFIED
    shown = response.content.decode()
    assert 'class="success"' in shown
    later, _ = _read(client, url)
    assert 'class="success"' not in later
    again, statements = _read(client, url)
    assert again == later and "teachers_degree" not in statements


def test_each_user_gets_their_own_page(client, people, other_school):
    """Two principals on the same address: each sees their own school, never the other's page."""
    factories.make_teacher(other_school, "孙老师")
    mine = _cached(client, people["principal"], "/school/teachers/")
    other = factories.make_principal(other_school, "other-principal")
    theirs = _cached(client, other, "/school/teachers/")
    assert "王老师" in mine and "孙老师" not in mine
    assert "孙老师" in theirs and "王老师" not in theirs


def test_a_page_from_the_cache_still_leaves_its_access_log_line(client, people):
    _cached(client, people["principal"], "/school/students/")
    lines = AccessLog.objects.filter(action=AccessAction.VIEW_STUDENT_LIST)
    assert lines.count() == 3  # three visits, two of them from the cache
    assert {line.user for line in lines} == {people["principal"]}


def test_a_form_on_a_cached_page_still_posts(client, people):
    """The CSRF token a cached page carries stays valid for the session it was cached for."""
    _cached(client, people["bureau"], "/admin/evaluations/creditrecord/")
    client_with_checks = client.__class__(enforce_csrf_checks=True)
    client_with_checks.cookies = client.cookies
    page = client_with_checks.get("/admin/evaluations/creditrecord/").content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = client_with_checks.post(reverse("logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code in (200, 302)


def test_notices_read_on_their_page_leave_no_count_on_a_cached_page(
    client, people, django_capture_on_commit_callbacks
):
    """The notices page marks what it shows as read on a GET; the count in every cached page's
    header goes with it."""
    factories.make_record(people["teacher"].teacher, "T-PAPER-FRAUD", by=people["bureau"])
    before = _cached(client, people["teacher"], "/teacher/")
    assert "条未读" in before
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("notices"))
    after, _ = _read(client, "/teacher/")
    assert "条未读" not in after


def test_a_page_rendered_again_after_a_change_is_served_again(
    client, people, django_capture_on_commit_callbacks
):
    """Once a change has put the cached page out of date (here one that adds no row: notices
    marked read), the page rendered after it is the one served from then on."""
    factories.make_record(people["teacher"].teacher, "T-PAPER-FRAUD", by=people["bureau"])
    _cached(client, people["teacher"], "/teacher/")
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("notices"))
    fresh, statements = _read(client, "/teacher/")
    assert "evaluations_creditrecord" in statements
    again, statements = _read(client, "/teacher/")
    assert again == fresh and "evaluations_creditrecord" not in statements
