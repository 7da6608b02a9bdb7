"""The README's production steps, and nothing else, give a working system: from an empty database,
``migrate`` and ``collectstatic`` with the production settings, then gunicorn behind an HTTPS
proxy; the public complaint form (which needs the cache's table for its rate limit) takes a
post. The database is a scratch one on the suite's own server (PostgreSQL in CI) or an
SQLite file."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
HOST = "credit.example.gov.cn"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def empty_database(tmp_path, django_db_blocker):
    """A database URL of an empty database, dropped afterwards."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'production.sqlite3'}"
        return
    name = f"cr_prodsteps_{uuid.uuid4().hex[:10]}"
    settings = connection.settings_dict
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    user = settings["USER"] or "root"
    yield f"postgres://{user}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{name}"
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_the_readme_production_steps_serve_the_complaint_form(empty_database, tmp_path):
    readme = (ROOT / "README.md").read_text()
    steps = readme.split("## Production on PostgreSQL", 1)[1].split("```", 2)[1]
    assert "manage.py migrate" in steps and "collectstatic" in steps and "gunicorn" in steps
    env = {
        **os.environ,
        "DJANGO_PRODUCTION": "true",
        "DJANGO_SECRET_KEY": "k" * 20 + "-production-secret-" + "x9Y2" * 10,
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DATABASE_URL": empty_database,
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
    }
    env.pop("CACHE_URL", None)
    python = [sys.executable, "manage.py"]
    for step in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        done = subprocess.run([*python, *step], cwd=ROOT, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "credit_registry.wsgi", "-b", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
        # The HTTPS proxy in front says so; the Host is the installation's.
        headers = {"Host": HOST, "X-Forwarded-Proto": "https"}
        page = None
        for _ in range(100):
            try:
                page = opener.open(
                    urllib.request.Request(f"{base}/public/complaint/", headers=headers)
                )
                break
            except (ConnectionError, urllib.error.URLError):
                time.sleep(0.2)
        assert page is not None and page.status == 200
        html = page.read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        csrf_cookie = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
        form = {
            "csrfmiddlewaretoken": token,
            "subject_description": "某校教师",
            "content": "反映该教师在校外有偿补课。",
            "reporter_name": "",
            "reporter_contact": "",
            "consent": "on",
        }
        post = urllib.request.Request(
            f"{base}/public/complaint/",
            data=urllib.parse.urlencode(form).encode(),
            headers={
                **headers,
                "Referer": f"https://{HOST}/public/complaint/",
                "Origin": f"https://{HOST}",
                "Cookie": f"csrftoken={csrf_cookie}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
            method="POST",
        )
        try:
            answer = opener.open(post)
            status, location = answer.status, answer.headers.get("Location", "")
        except urllib.error.HTTPError as error:
            status, location = error.code, error.headers.get("Location", "")
            body = error.read().decode(errors="replace")[:2000]
            assert status == 302, body
        assert status == 302 and location.endswith("/public/complaint/received/")
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0]
    assert "Traceback" not in output, output
