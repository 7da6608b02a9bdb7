"""Throughput under saturation: each main page hammered by ``ab`` (8 concurrent clients, no
pause) against gunicorn with DEBUG off, next to two floors measured in the same run — the login
form (an anonymous page that renders a template) and a minimal view (the session and the user
loaded, nothing rendered).

    DATABASE_URL=postgres://root@127.0.0.1:5432/credit_registry_district .venv/bin/python bench/throughput.py

The database must hold the demo logins (``seed_demo`` or ``seed_district``). The three years
before the current one are closed first (through the service, as the bureau would), so that the
red list is measured with what it lists. Settings from the
environment: THROUGHPUT_SECONDS (10 a page), THROUGHPUT_CONCURRENCY (8), THROUGHPUT_WORKERS
(3 gunicorn workers), THROUGHPUT_PORT (8766). Needs ``ab`` (Debian: apache2-utils). Writes
req/s, p50/p95 and each page's fraction of the login form into bench/RESULTS.md: the target is
a quarter of the login form for every main page and a half for the public lists.
"""

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credit_registry.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.middleware.csrf import CSRF_ALLOWED_CHARS  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.crypto import get_random_string  # noqa: E402

from bench.results import stamp, write_section  # noqa: E402
from credit_registry.common.years import academic_year_of  # noqa: E402
from evaluations.assessment import services as assessment_services  # noqa: E402
from evaluations.models import AssessmentResult, AssessmentYear, CreditRecord  # noqa: E402

SECONDS = int(os.environ.get("THROUGHPUT_SECONDS", 10))
CONCURRENCY = int(os.environ.get("THROUGHPUT_CONCURRENCY", 8))
WORKERS = int(os.environ.get("THROUGHPUT_WORKERS", 3))
PORT = int(os.environ.get("THROUGHPUT_PORT", 8766))
CLOSED_YEARS = int(os.environ.get("THROUGHPUT_CLOSED_YEARS", 3))
SECTION = "Throughput under saturation"
LOGIN = "login form (floor)"
MINIMAL = "minimal view (floor)"

PAGES = [
    (LOGIN, None, "/login/", None),
    (MINIMAL, "bureau", "/__bench__/minimal/", None),
    ("public: index", None, "/public/", 0.5),
    ("public: red list", None, "/public/red-list/", 0.5),
    ("public: black list", None, "/public/black-list/", 0.5),
    ("public: exemplars", None, "/public/exemplars/", 0.5),
    ("teacher's own file /teacher/", "teacher", "/teacher/", 0.25),
    ("principal: dashboard /school/", "principal", "/school/", 0.25),
    ("principal: teachers", "principal", "/school/teachers/", 0.25),
    ("principal: students", "principal", "/school/students/", 0.25),
    ("principal: records", "principal", "/school/records/", 0.25),
    ("bureau: workbench /admin/", "bureau", "/admin/", 0.25),
    ("admin: credit records", "bureau", "/admin/evaluations/creditrecord/", 0.25),
    ("admin: teachers", "bureau", "/admin/teachers/teacher/", 0.25),
    ("admin: students", "bureau", "/admin/students/student/", 0.25),
    ("admin: results", "bureau", "/admin/evaluations/assessmentresult/", 0.25),
]


def session_cookie(username: str) -> str:
    """The cookies a browser holds once signed in: the session and the CSRF cookie the login
    form handed out (pages are cached per session and CSRF secret)."""
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    secret = get_random_string(32, allowed_chars=CSRF_ALLOWED_CHARS)
    return f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={secret}"


def start_gunicorn() -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "bench.throughput_wsgi:application",
            f"--bind=127.0.0.1:{PORT}",
            f"--workers={WORKERS}",
            "--access-logfile=/dev/null",
            "--timeout=120",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    for _ in range(60):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/login/", timeout=5)
            return server
        except OSError:
            time.sleep(1)
    server.kill()
    sys.exit("gunicorn did not start")


def hammer(path: str, cookie: str | None, *, seconds: int) -> dict:
    command = ["ab", "-q", "-l", "-k", "-c", str(CONCURRENCY), "-t", str(seconds), "-n", "1000000"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(
        [*command, f"http://127.0.0.1:{PORT}{path}"], capture_output=True, text=True, check=True
    ).stdout

    def number(pattern: str) -> float:
        match = re.search(pattern, out, re.M)
        return float(match.group(1)) if match else 0.0

    return {
        "rps": number(r"^Requests per second:\s+([\d.]+)"),
        "p50": number(r"^\s+50%\s+(\d+)"),
        "p95": number(r"^\s+95%\s+(\d+)"),
        "non2xx": int(number(r"^Non-2xx responses:\s+(\d+)")),
        "done": int(number(r"^Complete requests:\s+(\d+)")),
    }


def close_past_years() -> int:
    """The red list names the A-graded schools and teachers of closed years: the
    THROUGHPUT_CLOSED_YEARS (3) years before the current one are closed first, as the bureau
    closes them (through the service), so that the list is measured full. Returns how many
    years are closed."""
    current = academic_year_of(timezone.localdate())
    bureau = get_user_model().objects.get(username="bureau")
    past = AssessmentYear.objects.filter(year__lt=current, year__gte=current - CLOSED_YEARS)
    for year in past.filter(closed_at__isnull=True):
        assessment_services.close_year(year=year.year, by=bureau)
    return AssessmentYear.objects.filter(closed_at__isnull=False).count()


def main() -> None:
    if not shutil.which("ab"):
        sys.exit("ab is missing: apt-get install apache2-utils")
    closed = close_past_years()
    red_list = AssessmentResult.objects.filter(
        year__closed_at__isnull=False, grade="A", student__isnull=True
    ).count()
    district = (
        f"{CreditRecord.objects.count():,} credit records, {closed} closed years, "
        f"{red_list:,} schools and teachers graded A in them"
    )
    cookies = {user: session_cookie(user) for user in {u for _, u, _, _ in PAGES if u}}
    server = start_gunicorn()
    rows = []
    try:
        for name, user, path, target in PAGES:
            cookie = cookies.get(user)
            hammer(path, cookie, seconds=2)  # warm the workers
            rows.append(
                (name, user or "anonymous", path, target, hammer(path, cookie, seconds=SECONDS))
            )
            print(f"{name}: {rows[-1][-1]['rps']:.0f} req/s", flush=True)
    finally:
        server.terminate()
        server.wait()
    load = os.getloadavg()
    floor = next(r[-1]["rps"] for r in rows if r[0] == LOGIN)
    lines = [
        f"## {SECTION} — {stamp()} ({connection.vendor}, {district})\n",
        f"`ab` with {CONCURRENCY} concurrent clients and no pause, {SECONDS} s a page after a "
        f"2 s warm-up, against gunicorn ({WORKERS} workers, DEBUG off) on this 2-core machine; "
        f"load average at the end {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}. Target: a "
        "quarter of the login form's requests per second for every main page, a half for the "
        "public lists.\n",
        "| page | as | req/s | p50 ms | p95 ms | ÷ login form | target | met |",
        "|---|---|---:|---:|---:|---:|---:|:---:|",
    ]
    for name, user, _path, target, figures in rows:
        fraction = figures["rps"] / floor if floor else 0
        met = "—" if target is None else ("yes" if fraction >= target else "**no**")
        errors = f" ({figures['non2xx']} non-2xx)" if figures["non2xx"] else ""
        lines.append(
            f"| {name}{errors} | {user} | {figures['rps']:,.0f} | {figures['p50']:.0f} | "
            f"{figures['p95']:.0f} | {fraction:.2f} | {target or '—'} | {met} |"
        )
    table = "\n".join(lines)
    print(table)
    write_section(SECTION, table)


if __name__ == "__main__":
    main()
