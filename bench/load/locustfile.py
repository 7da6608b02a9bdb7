"""A mixed day at the registry, for locust: the public on the lists and the verification page,
teachers reading their own file, principals on the school's pages, bureau staff searching the
admin lists. Started by ``bench/load/run.sh``; on its own:

    locust -f bench/load/locustfile.py --host http://127.0.0.1:8765 --headless -u 20 -t 2m

Signed-in users use the demo logins of ``seed_demo`` / ``seed_district`` (password
``LOAD_PASSWORD``, default demo12345). Every response must be 200 (and a page, not the login
form); anything else counts as a failure. Requests are named by page, ids replaced by ``<pk>``.
"""

import os
import random
import re

from locust import HttpUser, between, events, task

PASSWORD = os.environ.get("LOAD_PASSWORD", "demo12345")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SURNAMES = ["王", "李", "张", "刘", "陈", "林", "黄", "吴"]
# Report verification is limited to 60 lookups per address per hour, and every simulated user
# comes from one address: a run makes only a few lookups, so that back-to-back runs stay under it.
VERIFY_LOOKUPS = int(os.environ.get("LOAD_VERIFY_LOOKUPS", 10))
_lookups = {"done": 0}


@events.test_start.add_listener
def _reset(environment, **kwargs):
    _lookups["done"] = 0


class Visitor(HttpUser):
    abstract = True
    wait_time = between(0.5, 2.5)
    username = ""

    def on_start(self):
        if self.username:
            self.log_in()

    def log_in(self):
        form = self.client.get("/login/", name="/login/")
        match = CSRF.search(form.text)
        data = {"username": self.username, "password": PASSWORD, "next": ""}
        if match:
            data["csrfmiddlewaretoken"] = match.group(1)
        with self.client.post("/login/", data=data, catch_response=True) as response:
            if response.status_code != 200 or "/login/" in response.url:
                response.failure(f"{self.username} could not sign in ({response.status_code})")

    def page(self, url: str, name: str | None = None, *, expect: str | None = None):
        """GET a page that must answer 200 with a page of its own (not the login form)."""
        with self.client.get(url, name=name or url, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif "/login/" in response.url and not url.startswith("/login/"):
                response.failure("sent to the login page")
            elif expect and expect not in response.text:
                response.failure(f"page lacks {expect!r}")
            return response


class Public(Visitor):
    """Someone without an account: the red and black lists, exemplars, verifying a report."""

    weight = 5

    @task(3)
    def black_list(self):
        self.page("/public/black-list/")

    @task(3)
    def red_list(self):
        self.page("/public/red-list/")

    @task(1)
    def black_list_page_2(self):
        self.page("/public/black-list/?page=2", "/public/black-list/?page=2")

    @task(2)
    def index(self):
        self.page("/public/")

    @task(2)
    def exemplars(self):
        self.page("/public/exemplars/")

    @task(2)
    def verify(self):
        self.page("/public/verify/")
        if _lookups["done"] < VERIFY_LOOKUPS:
            _lookups["done"] += 1
            code = "".join(random.choices("ABCDEFGHJKLMNPQRSTUVWXYZ23456789", k=12))
            self.page(f"/public/verify/?code={code}", "/public/verify/?code=<unknown>")

    @task(1)
    def survey_entry(self):
        self.page("/survey/")


class Teacher(Visitor):
    """A teacher reading their own file and the records in it."""

    weight = 3
    username = os.environ.get("LOAD_TEACHER", "teacher")
    records: list[str] = []

    @task(4)
    def my_file(self):
        response = self.page("/teacher/", expect="师德诚信档案")
        self.records = re.findall(r'href="(/records/\d+/)"', response.text) or self.records

    @task(2)
    def a_record(self):
        if self.records:
            self.page(random.choice(self.records), "/records/<pk>/")

    @task(1)
    def my_evaluations(self):
        self.page("/teacher/evaluations/")

    @task(1)
    def notices(self):
        self.page("/notices/")


class Principal(Visitor):
    """A principal on the school's pages: dashboard, teachers, students, records, a file."""

    weight = 2
    username = os.environ.get("LOAD_PRINCIPAL", "principal")
    teachers: list[str] = []

    @task(2)
    def portal(self):
        self.page("/portal/")

    @task(2)
    def dashboard(self):
        self.page("/school/")

    @task(2)
    def teacher_list(self):
        response = self.page("/school/teachers/")
        self.teachers = re.findall(r'href="(/teacher/\d+/file/)"', response.text) or self.teachers

    @task(1)
    def teacher_search(self):
        self.page(f"/school/teachers/?q={random.choice(SURNAMES)}", "/school/teachers/?q=<name>")

    @task(1)
    def student_list(self):
        self.page("/school/students/")

    @task(2)
    def record_list(self):
        self.page("/school/records/")

    @task(2)
    def a_teachers_file(self):
        if self.teachers:
            self.page(random.choice(self.teachers), "/teacher/<pk>/file/")

    @task(1)
    def evaluations(self):
        self.page("/survey/school/")

    @task(1)
    def reports(self):
        self.page("/reports/")


class Bureau(Visitor):
    """Bureau staff in the admin site: the lists, searched and filtered, and a record's page."""

    weight = 1
    username = os.environ.get("LOAD_BUREAU", "bureau")
    records: list[str] = []

    @task(1)
    def admin_index(self):
        self.page("/admin/")

    @task(3)
    def records_search(self):
        response = self.page(
            f"/admin/evaluations/creditrecord/?q={random.choice(SURNAMES)}",
            "/admin/evaluations/creditrecord/?q=<name>",
        )
        found = re.findall(r'href="(/admin/evaluations/creditrecord/\d+/change/)', response.text)
        self.records = found or self.records

    @task(1)
    def records_submitted(self):
        self.page(
            "/admin/evaluations/creditrecord/?status=submitted",
            "/admin/evaluations/creditrecord/?status=submitted",
        )

    @task(2)
    def a_record(self):
        if self.records:
            self.page(random.choice(self.records), "/admin/evaluations/creditrecord/<pk>/change/")

    @task(2)
    def teachers_search(self):
        self.page(
            f"/admin/teachers/teacher/?q={random.choice(SURNAMES)}",
            "/admin/teachers/teacher/?q=<name>",
        )

    @task(1)
    def students_search(self):
        self.page(
            f"/admin/students/student/?q={random.choice(SURNAMES)}",
            "/admin/students/student/?q=<name>",
        )

    @task(1)
    def schools_search(self):
        self.page("/admin/schools/school/?q=中学", "/admin/schools/school/?q=<name>")

    @task(1)
    def open_objections(self):
        self.page(
            "/admin/evaluations/objection/?overdue=open", "/admin/evaluations/objection/?overdue="
        )
