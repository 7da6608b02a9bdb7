"""Server time and queries of the main pages, next to a minimal view measured in the same run.

    DATABASE_URL=postgres://root@127.0.0.1:5432/credit_registry_district \\
    BENCH_DEMO_DATABASE_URL=postgres://root@127.0.0.1:5432/credit_registry_demo \\
        .venv/bin/python bench/page_bench.py

Run against a district built with ``manage.py seed_district`` (and, for the demo-size column, a
database built with ``manage.py seed_demo``). Every page is requested through Django's test
client with the whole middleware stack, logged in as the role that uses it: 3 warm-ups, one
request whose queries are counted, then ``BENCH_REQUESTS`` (30) timed requests; p50 and p95 of
those. The floor is a view that only returns "ok" and the user's id (so the session and the user
are loaded), behind the same middleware, defined
here and reached through a URLconf of this script only (the product's URLs stay as they are).

With ``BENCH_DEMO_DATABASE_URL`` the same pages are first measured on the demo database in a
child process, and the query counts must agree: a page whose queries grow with the data says so.
Prints a table and replaces the "Pages" section of bench/RESULTS.md. ``--json`` prints the
figures as JSON instead (what the child process does).

The last column divides each page's district p95 by its own demo p95: it shows what grows with
the data, apart from what a page costs at any size (an admin changelist renders a few hundred
template nodes whatever the table holds, so it can never be near the bare view's time).
"""

import datetime
import json
import os
import statistics
import subprocess
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credit_registry.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, URLResolver, get_resolver, include, path, reverse  # noqa: E402

from bench.results import stamp, write_section  # noqa: E402
from credit_registry.models import IssuedDocument  # noqa: E402
from evaluations.models import CreditRecord, academic_year_of  # noqa: E402
from students.models import Student  # noqa: E402
from teachers.models import Teacher  # noqa: E402

WARMUPS = 3
REQUESTS = int(os.environ.get("BENCH_REQUESTS", 30))
SECTION = "Pages vs a minimal view"
MINIMAL = "minimal view (floor)"
PRODUCT_URLCONF = settings.ROOT_URLCONF


def minimal(request):
    # Logged in like the pages it is compared with: the session and the user are loaded.
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain")


# The product's URLs plus the floor, for this script only.
bench_urls = types.ModuleType("page_bench_urls")
bench_urls.urlpatterns = [
    path("__bench__/minimal/", minimal, name="bench_minimal"),
    path("", include(PRODUCT_URLCONF)),
]
sys.modules[bench_urls.__name__] = bench_urls


def _namespace_pages(namespace: str) -> list[str]:
    """URL names of ``namespace`` that take no argument (its list pages and dashboard)."""
    names = []
    for entry in get_resolver(PRODUCT_URLCONF).url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == namespace:
            for pattern in entry.url_patterns:
                if getattr(pattern, "name", None) and not pattern.pattern.regex.groups:
                    names.append(f"{namespace}:{pattern.name}")
    return names


def pages(notes: list[str]) -> list[tuple[str, str, str]]:
    """(label, username, url) of every page measured, the floor first."""
    year = academic_year_of(datetime.date.today())
    teacher = Teacher.objects.select_related("user").get(user__username="teacher")
    student_name = Student.objects.order_by("pk").values_list("name", flat=True).first() or "李"
    busiest = (
        CreditRecord.objects.filter(teacher__isnull=False)
        .values("teacher")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("teacher", flat=True)
        .first()
    )
    code = IssuedDocument.objects.values_list("code", flat=True).first()
    if code is None:
        notes.append(
            "No document issued yet: the verification page is measured with an unknown code."
        )
        code = "ABCD2345EFGH"
    admin = "/admin/"
    rows = [
        (MINIMAL, "bureau", "/__bench__/minimal/"),
        ("admin: credit records", "bureau", f"{admin}evaluations/creditrecord/"),
        (
            "admin: credit records ?q=",
            "bureau",
            f"{admin}evaluations/creditrecord/?q={teacher.name}",
        ),
        (
            "admin: credit records, filtered",
            "bureau",
            f"{admin}evaluations/creditrecord/?year={year}&item__polarity__exact=negative",
        ),
        ("admin: teachers", "bureau", f"{admin}teachers/teacher/"),
        ("admin: teachers ?q=", "bureau", f"{admin}teachers/teacher/?q={teacher.name}"),
        ("admin: teachers, filtered", "bureau", f"{admin}teachers/teacher/?title__exact=senior"),
        ("admin: students", "bureau", f"{admin}students/student/"),
        ("admin: students ?q=", "bureau", f"{admin}students/student/?q={student_name}"),
        (
            "admin: students, filtered",
            "bureau",
            f"{admin}students/student/?status__exact=enrolled&school__kind__exact=junior",
        ),
        ("teacher's own file /teacher/", "teacher", reverse("teachers:my_file")),
        (
            "a teacher's file (most records), bureau",
            "bureau",
            reverse("teachers:file", args=[busiest]),
        ),
    ]
    for name in ["schools:dashboard", *_namespace_pages("schools"), *_namespace_pages("students")]:
        if any(label == name for label, _, _ in rows):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            notes.append(f"`{name}` is not in the URLs yet: not measured.")
            continue
        rows.append((name, "principal", url))
    rows += [
        ("public: index", "", reverse("public:index")),
        ("public: red list", "", reverse("public:red_list")),
        ("public: black list", "", reverse("public:black_list")),
        ("public: exemplars", "", reverse("public:exemplars")),
        ("public: verify a code", "", f"{reverse('public:verify')}?code={code}"),
    ]
    return rows


def measure(rows) -> dict[str, dict]:
    clients: dict[str, Client] = {}
    users = get_user_model().objects
    figures = {}
    for n, (label, username, url) in enumerate(rows):
        if username not in clients:
            clients[username] = Client(raise_request_exception=False)
            if username:
                clients[username].force_login(users.get(username=username))
        client = clients[username]
        # A fresh address per request: the verification page limits each address per hour.
        counter = iter(range(10**6))

        def get(client=client, url=url, n=n, counter=counter):
            i = next(counter)
            return client.get(url, REMOTE_ADDR=f"198.18.{n}.{i % 250}")

        if any(get().status_code >= 500 for _ in range(WARMUPS)):
            print(f"  {label}: server error, not measured", file=sys.stderr)
            continue
        with CaptureQueriesContext(connection) as queries:
            status = get().status_code
        count = len(queries)  # before the next request clears the log
        times = []
        for _ in range(REQUESTS):
            started = time.perf_counter()
            get()
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        figures[label] = {
            "who": username or "anonymous",
            "status": status,
            "queries": count,
            "p50": statistics.median(times),
            "p95": times[min(len(times) - 1, round(0.95 * len(times)) - 1)],
        }
        print(f"  {label}: {figures[label]['p95']:.1f} ms p95", file=sys.stderr)
    return figures


def _demo_figures(url: str) -> dict[str, dict]:
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("BENCH_DEMO_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, __file__, "--json"], env=env, stdout=subprocess.PIPE, text=True, check=True
    )
    return json.loads(done.stdout)


def table(figures: dict, demo: dict | None, notes: list[str]) -> str:
    records = CreditRecord.objects.count()
    floor = figures[MINIMAL]["p95"]
    lines = [
        f"## {SECTION} — {stamp()} ({connection.vendor})",
        "",
        f"District: {Teacher.objects.count():,} teachers, {Student.objects.count():,} students, "
        f"{records:,} credit records. Django test client through the whole middleware stack, "
        f"DEBUG off; {WARMUPS} warm-ups, then {REQUESTS} timed requests per page, milliseconds. "
        "Shared machine (2 cores, other jobs running): figures are noisy.",
        "",
        "| page | as | queries (demo) | queries (district) | p50 demo | p95 demo "
        "| p50 district | p95 district | p95 ÷ minimal p95 | p95 district ÷ p95 demo |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, row in figures.items():
        small = (demo or {}).get(label)
        status = "" if row["status"] == 200 else f" (HTTP {row['status']})"
        lines.append(
            f"| {label}{status} | {row['who']} "
            f"| {small['queries'] if small else '—'} | {row['queries']} "
            f"| {f'{small["p50"]:.1f}' if small else '—'} "
            f"| {f'{small["p95"]:.1f}' if small else '—'} "
            f"| {row['p50']:.1f} | {row['p95']:.1f} | {row['p95'] / floor:.1f}× "
            f"| {f'{row["p95"] / small["p95"]:.1f}×' if small and small['p95'] else '—'} |"
        )
    if demo:
        differ = [k for k in figures if k in demo and demo[k]["queries"] != figures[k]["queries"]]
        notes.append(
            "Queries per page differ between demo and district size: " + ", ".join(differ)
            if differ
            else "Every page runs the same number of queries at demo and at district size."
        )
    return "\n".join(lines + [""] + [f"- {note}" for note in notes])


@override_settings(ROOT_URLCONF=bench_urls.__name__, DEBUG=False, ALLOWED_HOSTS=["*"])
def main() -> None:
    notes: list[str] = []
    rows = pages(notes)
    if "--json" in sys.argv:
        print(json.dumps(measure(rows)))
        return
    demo_url = os.environ.get("BENCH_DEMO_DATABASE_URL")
    demo = None
    if demo_url:
        print("demo database …", file=sys.stderr)
        demo = _demo_figures(demo_url)
    print("district database …", file=sys.stderr)
    figures = measure(rows)
    text = table(figures, demo, notes)
    print(text)
    write_section(SECTION, text)


if __name__ == "__main__":
    main()
