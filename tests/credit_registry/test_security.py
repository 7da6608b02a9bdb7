"""Login throttling and the production settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests import factories

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_five_failed_logins_lock_the_account_on_that_address(client):
    factories.make_user("zhangsan")
    for _ in range(4):
        response = client.post(reverse("login"), {"username": "zhangsan", "password": "wrong"})
        assert response.status_code == 200
    fifth = client.post(reverse("login"), {"username": "zhangsan", "password": "wrong"})
    assert fifth.status_code == 429
    locked = client.post(reverse("login"), {"username": "zhangsan", "password": "pw-Test-12345"})
    assert locked.status_code == 429
    assert "锁定" in locked.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_correct_password_logs_in_and_lands_on_the_role_page(client, principal):
    response = client.post(reverse("login"), {"username": "principal", "password": "pw-Test-12345"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(principal.pk)


def test_production_settings_pass_check_deploy_without_warnings():
    env = {
        **os.environ,
        "DJANGO_PRODUCTION": "true",
        "DJANGO_SECRET_KEY": "k" * 20 + "-production-secret-" + "x9Y2" * 10,
        "DJANGO_ALLOWED_HOSTS": "credit.example.gov.cn",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
