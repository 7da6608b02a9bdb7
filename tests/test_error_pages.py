"""The error pages a person may meet, with DEBUG off, in Chinese and in English: each says what
happened and what to do next."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django.views.defaults import server_error

from students import services as student_services
from tests import factories

CLUE = {
    "subject_description": "某某培训学校",
    "content": "该机构在周末违规组织在校学生有偿补课，每人收费两千元。",
    "reporter_contact": "13800000000",
}


@pytest.fixture(autouse=True)
def _production_errors(settings):
    settings.DEBUG = False


def _in(client, language: str):
    response = client.post(reverse("set_language"), {"language": language, "next": "/"})
    assert response.status_code == 302
    return client


@pytest.mark.parametrize(
    ("language", "title", "next_step"),
    [("zh-hans", "找不到页面", "返回首页"), ("en", "Page not found", "Back to the home page")],
)
def test_404_page(client, db, language, title, next_step):
    response = _in(client, language).get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert f'<html lang="{language}">' in html and title in html and next_step in html


@pytest.mark.parametrize(
    ("language", "title", "reason"),
    [
        ("zh-hans", "无权访问", "此页面只供教师本人使用"),
        ("en", "Access denied", "This page is for teachers."),
    ],
)
def test_403_page_says_why_and_offers_a_new_login(client, principal, language, title, reason):
    client.force_login(principal)
    response = _in(client, language).get(reverse("teachers:my_file"))
    html = response.content.decode()
    assert response.status_code == 403
    assert title in html and reason in html and reverse("login") in html


@pytest.mark.parametrize(
    ("language", "title"), [("zh-hans", "请求无效"), ("en", "Invalid request")]
)
def test_400_page(client, db, language, title):
    response = _in(client, language).get("/?q=%FF")
    assert response.status_code == 400 and title in response.content.decode()


@pytest.mark.parametrize(
    ("language", "title", "wait"),
    [
        ("zh-hans", "提交过于频繁", "请稍等一段时间"),
        ("en", "Too many submissions", "Please wait a while"),
    ],
)
def test_429_page_asks_to_wait(client, db, language, title, wait):
    _in(client, language)
    for _ in range(5):
        assert client.post(reverse("public:complaint"), CLUE).status_code == 302
    response = client.post(reverse("public:complaint"), CLUE)
    html = response.content.decode()
    assert response.status_code == 429 and title in html and wait in html


@pytest.mark.parametrize(("language", "title"), [("zh-hans", "服务器出错"), ("en", "Server error")])
def test_500_page_needs_no_database_or_context(language, title):
    with translation.override(language):
        response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert f'<html lang="{language}">' in html and title in html


def test_a_principal_opening_a_student_who_moved_away_gets_the_chinese_404(
    client, principal, school, other_school
):
    student = factories.make_student(school, name="李小明")
    student_services.transfer_student(
        by=principal, student=student, on=timezone.localdate(), to_school=other_school
    )
    client.force_login(principal)
    response = client.get(reverse("students:file", args=[student.pk]))
    html = response.content.decode()
    assert response.status_code == 404
    assert "找不到页面" in html and "学生已转出本校" in html and "李小明" not in html
