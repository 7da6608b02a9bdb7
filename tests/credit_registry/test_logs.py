"""No personal data in logs: request lines lose their one-time codes and ID numbers, whichever
server writes them; every page that lists minors leaves a line in the access log."""

import logging

import pytest
from django.urls import reverse

from credit_registry.common.log_redaction import REDACTED, RedactingFilter, redact
from credit_registry.models import AccessAction, AccessLog
from students import services as student_services
from tests import factories

ID_NUMBER = factories.valid_id_number(serial=77)


@pytest.mark.parametrize(
    ("line", "kept", "cut"),
    [
        ('"GET /survey/c/K7MP2QX9AB/ HTTP/1.1" 200', "/survey/c/", "K7MP2QX9AB"),
        ('"GET /survey/p/3/12/abcDEF123/ HTTP/1.1" 200', "/survey/p/3/12/", "abcDEF123"),
        ('"GET /students/sign/?code=PLG55AA2&x=1 HTTP/1.1"', "x=1", "PLG55AA2"),
        (f'"GET /admin/teachers/teacher/?q={ID_NUMBER} HTTP/1.1"', "/admin/", ID_NUMBER),
        (f"Not Found: /students/G{ID_NUMBER}/", "Not Found", ID_NUMBER),
        ('"GET /public/verify/?code=AB12CD34 HTTP/1.1"', "/public/verify/", "AB12CD34"),
    ],
)
def test_request_lines_lose_codes_and_id_numbers(line, kept, cut):
    assert cut not in redact(line) and kept in redact(line) and REDACTED in redact(line)


def test_the_filter_rewrites_runserver_and_gunicorn_records_alike():
    runserver = logging.LogRecord(
        "django.server",
        logging.INFO,
        "",
        0,
        '"%s" %s %s',
        ("GET /survey/c/SECRET99/ HTTP/1.1", "200", "5"),
        None,
    )
    gunicorn = logging.LogRecord("gunicorn.access", logging.INFO, "", 0, "%(r)s %(s)s", None, None)
    gunicorn.args = {"r": f"GET /school/students/?q=G{ID_NUMBER} HTTP/1.1", "s": "200"}
    for record in (runserver, gunicorn):
        assert RedactingFilter().filter(record) is True
    assert "SECRET99" not in runserver.getMessage()
    assert ID_NUMBER not in gunicorn.getMessage() and "200" in gunicorn.getMessage()


def test_runserver_writes_request_lines_through_the_filter(settings):
    handler = settings.LOGGING["handlers"][
        settings.LOGGING["loggers"]["django.server"]["handlers"][0]
    ]
    assert "redact" in handler["filters"]
    assert "redact" in settings.LOGGING["handlers"]["console"]["filters"]


def test_every_list_of_minors_is_in_the_access_log(client, bureau, principal, school, teacher):
    classroom = factories.make_classroom(school, head_teacher=teacher)
    factories.make_student(school, classroom)
    pledge = student_services.issue_pledge(
        by=principal, classroom=classroom, kind="yearly", year=factories.YEAR
    )
    pages = [
        (principal, reverse("schools:students")),
        (principal, reverse("students:pledge", args=[pledge.pk])),
        (teacher.user, reverse("students:my_class")),
        (bureau, reverse("admin:students_student_changelist")),
        (bureau, reverse("admin:students_guardian_changelist")),
    ]
    for user, url in pages:
        client.force_login(user)
        before = AccessLog.objects.filter(action=AccessAction.VIEW_STUDENT_LIST).count()
        assert client.get(url).status_code == 200, url
        lines = AccessLog.objects.filter(action=AccessAction.VIEW_STUDENT_LIST).order_by("pk")
        assert lines.count() == before + 1, url
        assert lines.last().user == user
    # A number searched in the admin list is not written into the log line either.
    client.force_login(bureau)
    url = reverse("admin:students_student_changelist")
    client.get(client.post(url, {"q": f"G{ID_NUMBER}"})["Location"])
    client.get(f"{url}?q={ID_NUMBER}")
    details = AccessLog.objects.filter(action=AccessAction.VIEW_STUDENT_LIST).values_list(
        "detail", flat=True
    )
    assert not [detail for detail in details if ID_NUMBER in detail]
