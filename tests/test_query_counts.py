"""The main pages run the same number of queries whatever the size of the district.

Each page is counted on a small district, the district is grown (more teachers, students and
their records, more records in the file being looked at), and the page must run exactly as
many queries again. The plain admin lists are pinned in ``tests/test_admin.py``; here are their
searched and filtered forms, the teacher's file, and the public pages.
"""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluations.assessment import services
from evaluations.assessment.scoring import recompute_year
from evaluations.models import AssessmentYear, RecordStatus
from tests import factories

YEAR = factories.YEAR


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.fixture
def grow(bureau, school, teacher):
    """Add ``n`` teachers and students with records of every kind the pages list, and ``n``
    more records in ``teacher``'s own file; then recompute the current year and a closed
    previous one (reopened only here, to grow it)."""
    previous = YEAR - 1
    services.ensure_year(year=YEAR, by=bureau)
    services.ensure_year(year=previous, by=bureau)

    def add(n: int) -> None:
        AssessmentYear.objects.filter(year=previous).update(closed_at=None)
        last_year = datetime.date(previous, 10, 10)
        for _ in range(n):
            colleague = factories.make_teacher(school, "王建国")
            student = factories.make_student(school, factories.make_classroom(school, colleague))
            factories.make_record(colleague, "T-GIFTS", by=bureau)
            factories.make_record(colleague, "T-CORPORAL-PUNISHMENT", by=bureau)
            factories.make_record(colleague, "T-ETHICS-COMMENDATION", by=bureau)
            factories.make_record(colleague, "T-ETHICS-COMMENDATION", occurred_on=last_year)
            factories.make_record(student, "ST-COPYING-HOMEWORK", by=bureau)
            factories.make_record(
                student, "ST-COPYING-HOMEWORK", by=bureau, status=RecordStatus.SUBMITTED
            )
            factories.make_record(teacher, "T-GIFTS", by=bureau)
            factories.make_record(teacher, "T-ETHICS-COMMENDATION", by=bureau)
        factories.make_record(school, "S-ARBITRARY-FEES", by=bureau)
        recompute_year(year=YEAR)
        recompute_year(year=previous)
        AssessmentYear.objects.filter(year=previous).update(closed_at=timezone.now())

    return add


def _same_at_two_sizes(client, grow, django_assert_num_queries, url):
    grow(2)
    client.get(url)  # warm per-process caches (content types, the session)
    cache.clear()  # a public list rendered, not served from the shared cache
    small = _count(client, url)
    grow(6)
    cache.clear()
    with django_assert_num_queries(small):
        response = client.get(url)
    assert response.status_code == 200, url


ADMIN_PAGES = [
    "evaluations/creditrecord/?q=王建国",
    "evaluations/creditrecord/?q=作业",
    f"evaluations/creditrecord/?year={YEAR}&item__polarity__exact=negative",
    "evaluations/creditrecord/?status__exact=submitted",
    "teachers/teacher/?q=王建国",
    "teachers/teacher/?title__exact=none",
    "students/student/?q=李小明",
    "students/student/?status__exact=enrolled&school__kind__exact=junior",
]


@pytest.mark.parametrize("admin_path", ADMIN_PAGES)
def test_searched_and_filtered_admin_lists_do_not_grow(
    client, bureau, grow, django_assert_num_queries, admin_path
):
    client.force_login(bureau)
    _same_at_two_sizes(client, grow, django_assert_num_queries, f"/admin/{admin_path}")


SCHOOL_FILTERED_PAGES = [
    "evaluations/creditrecord/",
    "evaluations/assessmentresult/",
    "teachers/teacher/",
    "students/student/",
]


@pytest.mark.parametrize("admin_path", SCHOOL_FILTERED_PAGES)
def test_lists_filtered_by_school_do_not_grow(
    client, bureau, school, grow, django_assert_num_queries, admin_path
):
    """The school's records include its teachers' and students': looked up by id, in a fixed
    number of queries whatever the number of people."""
    client.force_login(bureau)
    url = f"/admin/{admin_path}?school={school.pk}&school_q=蕉城"
    _same_at_two_sizes(client, grow, django_assert_num_queries, url)


def test_the_teachers_own_file_does_not_grow(client, teacher, grow, django_assert_num_queries):
    client.force_login(teacher.user)
    _same_at_two_sizes(client, grow, django_assert_num_queries, reverse("teachers:my_file"))


def test_a_teachers_file_seen_by_the_bureau_does_not_grow(
    client, bureau, teacher, grow, django_assert_num_queries
):
    client.force_login(bureau)
    url = reverse("teachers:file", args=[teacher.pk])
    _same_at_two_sizes(client, grow, django_assert_num_queries, url)


@pytest.mark.parametrize(
    "name", ["public:index", "public:red_list", "public:black_list", "public:exemplars"]
)
def test_public_lists_do_not_grow(client, grow, django_assert_num_queries, name):
    _same_at_two_sizes(client, grow, django_assert_num_queries, reverse(name))


def test_the_red_list_lists_the_closed_year(client, grow):
    grow(2)
    body = client.get(reverse("public:red_list")).content.decode()
    assert "王建国" in body  # commended adults are named in full


def test_verifying_a_code_does_not_grow(client, grow, django_assert_num_queries):
    url = f"{reverse('public:verify')}?code=ABCD2345EFGH"
    _same_at_two_sizes(client, grow, django_assert_num_queries, url)
