"""Hostile input on the pages without an account and the school's forms: whatever is typed, the
answer is a page with a message (or a refusal), never a server error, and nothing is written."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credit_registry.common.years import academic_year_of
from evaluations.models import CreditRecord
from schools.models import IntegrityActivity, OperationChecklist
from students.models import PledgeSlip
from students.services import issue_pledge
from tests import factories

text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def slip(db):
    school = factories.make_school()
    principal = factories.make_principal(school)
    classroom = factories.make_classroom(school)
    factories.make_student(school, classroom)
    pledge = issue_pledge(
        by=principal,
        classroom=classroom,
        kind="yearly",
        year=academic_year_of(timezone.localdate()),
    )
    return pledge.slips.get()


@SETTINGS
@given(code=text, who=text)
def test_pledge_codes_never_crash_and_never_acknowledge_by_accident(slip, code, who):
    cache.clear()  # the guessing limit is tested elsewhere
    client = Client()
    shown = client.get(reverse("students:sign"), {"code": code})
    assert shown.status_code in ((400,) if NUL in code else (200, 404))
    posted = client.post(reverse("students:sign"), {"code": code, "who": who, "confirm": "on"})
    assert posted.status_code == expected(code, who)
    assert not PledgeSlip.objects.filter(acknowledged_at__isnull=False).exists()


@SETTINGS
@given(code=text)
def test_parent_codes_never_crash_and_never_open_a_file(db, code):
    cache.clear()
    client = Client()
    response = client.post(reverse("students:parent"), {"code": code})
    assert response.status_code == expected(code)  # the form again, with its message
    assert client.get(reverse("students:parent_file")).status_code == 302


NUL = "\x00"


def expected(*values) -> int:
    """The form again (200), or the 400 page when a value holds a NUL byte."""
    return 400 if any(NUL in value for value in values) else 200


@pytest.fixture
def principal_client(db):
    school = factories.make_school()
    teacher = factories.make_teacher(school, "王老师")
    client = Client()
    client.force_login(factories.make_principal(school))
    return client, teacher


@SETTINGS
@given(
    data=st.dictionaries(
        st.sampled_from(
            [
                "item",
                "occurred_on",
                "description",
                "kind",
                "title",
                "held_on",
                "participants",
                "participant_count",
                "fees_passed",
                "fees_finding",
                "note",
            ]
        ),
        text,
    ),
    query=text,
)
def test_the_schools_forms_reject_garbage_without_writing(principal_client, data, query):
    client, teacher = principal_client
    posted = expected(*data.values())
    assert (
        client.post(f"{reverse('schools:propose_record')}?teacher={teacher.pk}", data).status_code
        == posted
    )
    assert client.post(reverse("schools:activity_new"), data).status_code == posted
    assert client.post(reverse("schools:checklist"), data).status_code == posted
    assert client.get(
        reverse("schools:students"), {"q": query, "classroom": query}
    ).status_code == expected(query)
    assert client.get(reverse("schools:dashboard"), {"year": query}).status_code == expected(query)
    assert not CreditRecord.objects.exists()
    assert not IntegrityActivity.objects.exists() and not OperationChecklist.objects.exists()
