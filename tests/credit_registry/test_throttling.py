"""Throttling that holds: logins limited per account across addresses and per address across
accounts, the client's address taken from a trusted proxy only, code guessing limited per
browser without refusing anyone else's valid code, and hour windows that last an hour."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from credit_registry.access import Role
from students import services as student_services
from students import views as student_views
from tests import factories

PASSWORD = "pw-Test-12345"


def login(client, username, password, **meta):
    return client.post(reverse("login"), {"username": username, "password": password}, **meta)


@pytest.fixture
def zhang(db):
    return factories.make_user("zhangsan")


def test_five_wrong_passwords_lock_the_account_from_every_address(zhang):
    for n in range(5):
        login(Client(), "zhangsan", f"wrong-{n}", REMOTE_ADDR=f"203.0.113.{n + 1}")
    # The right password from yet another address is refused too.
    refused = login(Client(), "zhangsan", PASSWORD, REMOTE_ADDR="198.51.100.7")
    assert refused.status_code == 429 and "锁定" in refused.content.decode()


def test_failures_spread_over_accounts_lock_the_address(db):
    users = [factories.make_user(f"teacher{n}") for n in range(5)]
    client = Client(REMOTE_ADDR="203.0.113.9")
    for user in users:
        for n in range(4):  # four each: no account reaches its own limit
            assert login(client, user.username, f"wrong-{n}").status_code == 200
    refused = login(client, users[0].username, PASSWORD)
    assert refused.status_code == 429
    # Another address signs the same account in.
    assert login(Client(REMOTE_ADDR="198.51.100.7"), users[0].username, PASSWORD).status_code == 302


def test_behind_a_trusted_proxy_each_client_counts_for_itself(settings, db):
    settings.REGISTRY_TRUSTED_PROXIES = ["10.0.0.0/8"]
    victim = factories.make_user("victim")
    users = [factories.make_user(f"t{n}") for n in range(5)]
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for user in users:
        for n in range(4):
            login(Client(), user.username, f"x{n}", HTTP_X_FORWARDED_FOR="203.0.113.50", **proxy)
    # The attacker's address is locked, the victim's (same proxy) is not.
    assert (
        login(Client(), "t0", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.50", **proxy).status_code
        == 429
    )
    ok = login(Client(), "victim", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
    assert ok.status_code == 302 and victim.pk
    # A client in front of the proxy cannot choose its address by forging the header: the
    # proxy appends the real one, and that is what counts.
    forged = {"HTTP_X_FORWARDED_FOR": "198.51.100.7, 203.0.113.50", **proxy}
    assert login(Client(), "t0", PASSWORD, **forged).status_code == 429
    attempt = AccessAttempt.objects.filter(username="t0").latest("attempt_time")
    assert attempt.ip_address == "203.0.113.50"


def test_a_forwarded_header_is_ignored_without_a_trusted_proxy(db):
    users = [factories.make_user(f"t{n}") for n in range(5)]
    for n, user in enumerate(users):
        for k in range(4):
            forged = {"HTTP_X_FORWARDED_FOR": f"192.0.2.{n * 4 + k}"}
            login(Client(REMOTE_ADDR="203.0.113.66"), user.username, "nope", **forged)
    assert login(Client(REMOTE_ADDR="203.0.113.66"), "t1", PASSWORD).status_code == 429


def test_the_admin_door_counts_the_same(db):
    client = Client(REMOTE_ADDR="203.0.113.21")
    for n in range(20):
        client.post(reverse("admin:login"), {"username": f"nobody{n}", "password": "x"})
    bureau = factories.make_user("chief", role=Role.BUREAU_ADMIN)
    refused = client.post(
        reverse("admin:login"), {"username": bureau.username, "password": PASSWORD}
    )
    assert refused.status_code == 429


def test_bureau_staff_unlock_an_account_and_its_address(client, bureau, zhang):
    for n in range(5):
        login(Client(REMOTE_ADDR="203.0.113.5"), "zhangsan", f"wrong-{n}")
    assert login(Client(REMOTE_ADDR="203.0.113.5"), "zhangsan", PASSWORD).status_code == 429
    client.force_login(bureau)
    changelist = reverse("admin:credit_registry_loginlock_changelist")
    listed = client.get(changelist)
    assert "zhangsan" in listed.content.decode()
    attempts = AccessAttempt.objects.filter(username="zhangsan")
    done = client.post(
        changelist,
        {"action": "unlock", "_selected_action": [a.pk for a in attempts]},
        follow=True,
    )
    assert "已解除1个账号的登录锁定" in done.content.decode()
    assert login(Client(REMOTE_ADDR="203.0.113.5"), "zhangsan", PASSWORD).status_code == 302


def test_the_address_limit_lasts_the_hour_and_ends_with_it(clock, db):
    factories.make_user("late")
    client = Client(REMOTE_ADDR="203.0.113.77")
    for n in range(20):
        login(client, f"someone{n}", "x")
    clock.shift(datetime.timedelta(minutes=50))  # past the default cache timeout of 300 s
    assert login(client, "late", PASSWORD).status_code == 429
    clock.shift(datetime.timedelta(minutes=11))
    assert login(client, "late", PASSWORD).status_code == 302


# --- one-time codes ----------------------------------------------------------------------------


@pytest.fixture
def slip(school, principal):
    classroom = factories.make_classroom(school)
    factories.make_student(school, classroom)
    pledge = student_services.issue_pledge(
        by=principal, classroom=classroom, kind="yearly", year=factories.YEAR
    )
    return pledge.slips.get()


def test_a_guessing_browser_is_refused_but_not_its_neighbours(slip):
    guesser = Client(REMOTE_ADDR="203.0.113.80")
    sign = reverse("students:sign")
    for n in range(9):
        guesser.post(sign, {"code": f"WRONG{n:05d}", "who": "parent", "confirm": "on"})
    # Misses sent by POST count like those sent by GET.
    assert guesser.get(sign, {"code": "WRONGAGAIN"}).status_code == 429
    assert guesser.get(sign, {"code": slip.code}).status_code == 429
    # A parent on the same school network, in their own browser, is not refused.
    parent = Client(REMOTE_ADDR="203.0.113.80")
    assert parent.get(sign, {"code": slip.code}).status_code == 200


def test_a_guesser_who_throws_away_the_session_runs_out_of_new_browsers(settings, slip):
    sign = reverse("students:sign")
    limit = student_views.PLEDGE_CODES.browsers_per_address
    for _ in range(limit):
        assert Client(REMOTE_ADDR="203.0.113.81").get(sign).status_code == 200
    assert Client(REMOTE_ADDR="203.0.113.81").get(sign, {"code": slip.code}).status_code == 429
    # Elsewhere new browsers still come in.
    assert Client(REMOTE_ADDR="198.51.100.81").get(sign, {"code": slip.code}).status_code == 200
