"""``manage.py seed_demo``: build the demo district into an empty database.

``scripts/dev`` runs it with ``--if-empty`` on every start, so it must be safe to repeat: with
data present it says so and does nothing. Without the flag, data present is an error — the demo
never mixes with a real district.
"""

import unicodedata

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from credit_registry.demo import (
    DemoDataExists,
    DemoLogin,
    DemoSummary,
    build_demo_district,
    district_has_data,
)
from evaluations.models import RecordStatus

COUNT_LABELS = {
    "schools": "学校 / schools",
    "leading_group_members": "领导小组成员 / leading-group members",
    "teachers": "教师 / teachers",
    "postings": "任职记录 / postings",
    "degrees": "学历 / degrees",
    "classrooms": "班级 / classes",
    "students": "学生 / students",
    "guardians": "监护人 / guardians",
    "enrolments": "学籍变动 / enrolment events",
    "credit_records": "信用记录 / credit records",
    "ledger_entries": "账本条目 / ledger entries",
    "objections": "异议 / objections",
    "open_objections": "处理中的异议 / open objections",
    "repair_applications": "信用修复申请 / repair applications",
    "complaint_clues": "信访线索 / complaint clues",
    "notices": "通知 / notices",
    "assessment_results": "考核结果 / assessment results",
}


def _width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters are two wide."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def login_table(logins: list[DemoLogin]) -> list[str]:
    rows = [("用户名 username", "密码 password", "角色 role", "代表 acts for")]
    rows += [(x.username, x.password, x.role_label, x.acts_for) for x in logins]
    widths = [max(_width(row[i]) for row in rows) for i in range(3)]
    lines = []
    for n, row in enumerate(rows):
        lines.append(
            "  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=False)) + "  " + row[3]
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * _width(row[3]))
    return lines


class Command(BaseCommand):
    help = (
        "Build a deterministic demo district (schools, teachers, students, two years of credit "
        "records, objections, clues, results) and one login per role, password demo12345. "
        "生成演示数据（仅用于开发和演示）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2019, help="random seed (default 2019)")
        parser.add_argument("--schools", type=int, default=30, help="number of schools (30)")
        parser.add_argument("--teachers", type=int, default=600, help="number of teachers (600)")
        parser.add_argument("--students", type=int, default=6000, help="number of students (6000)")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing (successfully) when the database already holds schools",
        )

    def handle(self, *args, seed, schools, teachers, students, if_empty, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "生产环境（DJANGO_PRODUCTION=true）不能生成演示数据 / Demo data is never built "
                "with production settings."
            )
        if district_has_data():
            if if_empty:
                self.stdout.write(
                    "数据库中已有数据，跳过演示数据生成。 / The database already holds data; "
                    "the demo district was not built."
                )
                return
            raise CommandError(
                "数据库中已有学校数据，拒绝生成演示数据；请使用空数据库，或加 --if-empty 跳过。 / "
                "The database already holds schools; refusing to add the demo district. Use an "
                "empty database, or pass --if-empty to skip."
            )
        self.stdout.write(
            f"正在生成演示区（种子{seed}：{schools}所学校，{teachers}名教师，{students}名学生）… / "
            f"Building the demo district (seed {seed})…"
        )
        try:
            summary = build_demo_district(
                seed=seed, schools=schools, teachers=teachers, students=students, stdout=self.stdout
            )
        except DemoDataExists as error:
            raise CommandError(str(error)) from error
        except (ValueError, ValidationError, PermissionDenied) as error:
            messages = getattr(error, "messages", None) or [str(error)]
            raise CommandError(
                "演示数据生成失败，未写入任何数据 / The demo district could not be built; nothing "
                f"was written: {'; '.join(messages)}"
            ) from error
        self._report(summary)

    def _report(self, summary: DemoSummary) -> None:
        out = self.stdout
        out.write("")
        out.write("数量 / counts:")
        labels = dict(COUNT_LABELS)
        labels.update({f"records_{s.value}": f"  其中{s.label} / {s.value}" for s in RecordStatus})
        labels.update({f"results_{y}": f"  {y}学年考核结果 / results {y}" for y in summary.years})
        order = [
            *list(COUNT_LABELS)[:10],
            *[f"records_{s.value}" for s in RecordStatus],
            *list(COUNT_LABELS)[10:],
            *[f"results_{y}" for y in summary.years],
        ]
        rows = [(labels[key], summary.counts[key]) for key in order if key in summary.counts]
        width = max(_width(label) for label, _ in rows)
        for label, value in rows:
            out.write(f"  {_pad(label, width)}  {value:>7,}")
        out.write("")
        out.write(
            self.style.SUCCESS(
                f"演示区已生成，用时{summary.seconds:.1f}秒；账本{summary.ledger_links}个环节校验通过。"
                f" / Demo district built in {summary.seconds:.1f} s; ledger of "
                f"{summary.ledger_links} links verified."
            )
        )
        out.write("")
        out.write("演示账号（仅用于开发和演示）/ demo logins (development only):")
        for line in login_table(summary.logins):
            out.write(f"  {line}")
