"""``manage.py seed_demo``: build the demo district into an empty database.

``scripts/dev`` runs it with ``--if-empty`` on every start, so it must be safe to repeat: with
data present it says so and does nothing. Without the flag, data present is an error — the demo
never mixes with a real district.
"""

import unicodedata

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from credit_registry.common.years import academic_year_label
from credit_registry.demo import (
    DemoDataExists,
    DemoLogin,
    DemoSummary,
    build_demo_district,
    district_has_data,
)
from evaluations.models import RecordStatus

COUNT_LABELS = {
    "schools": pgettext_lazy("count", "学校"),
    "leading_group_members": pgettext_lazy("count", "领导小组成员"),
    "teachers": pgettext_lazy("count", "教师"),
    "postings": pgettext_lazy("count", "任职记录"),
    "degrees": pgettext_lazy("count", "学历"),
    "classrooms": pgettext_lazy("count", "班级"),
    "students": pgettext_lazy("count", "学生"),
    "guardians": pgettext_lazy("count", "监护人"),
    "enrolments": pgettext_lazy("count", "学籍变动"),
    "credit_records": pgettext_lazy("count", "信用记录"),
    "ledger_entries": pgettext_lazy("count", "账本条目"),
    "objections": pgettext_lazy("count", "异议"),
    "open_objections": pgettext_lazy("count", "处理中的异议"),
    "repair_applications": pgettext_lazy("count", "信用修复申请"),
    "complaint_clues": pgettext_lazy("count", "信访线索"),
    "notices": pgettext_lazy("count", "通知"),
    "assessment_results": pgettext_lazy("count", "考核结果"),
}


def _width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters are two wide."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def login_table(logins: list[DemoLogin]) -> list[str]:
    rows = [(_("用户名"), _("密码"), _("角色"), _("代表"))]
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
        "records, objections, clues, results) and one login per role, password demo12345."
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
            raise CommandError(_("生产环境（DJANGO_PRODUCTION=true）不能生成演示数据"))
        if district_has_data():
            if if_empty:
                self.stdout.write(_("数据库中已有数据，跳过演示数据生成。"))
                return
            raise CommandError(
                _("数据库中已有学校数据，拒绝生成演示数据；请使用空数据库，或加 --if-empty 跳过。")
            )
        self.stdout.write(
            _(
                "正在生成演示区（种子%(seed)s：%(schools)s所学校，%(teachers)s名教师，%(students)s名学生）…"
            )
            % {"seed": seed, "schools": schools, "teachers": teachers, "students": students}
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
                _("演示数据生成失败，未写入任何数据：%(messages)s")
                % {"messages": "；".join(messages)}
            ) from error
        self._report(summary)

    def _report(self, summary: DemoSummary) -> None:
        out = self.stdout
        out.write("")
        out.write(_("数量："))
        labels = dict(COUNT_LABELS)
        labels.update(
            {
                f"records_{s.value}": _("  其中%(status)s") % {"status": s.label}
                for s in RecordStatus
            }
        )
        labels.update(
            {
                f"results_{y}": _("  %(year)s考核结果") % {"year": academic_year_label(y)}
                for y in summary.years
            }
        )
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
                _("演示区已生成，用时%(seconds).1f秒；账本%(ledger_links)s个环节校验通过。")
                % {"seconds": summary.seconds, "ledger_links": summary.ledger_links}
            )
        )
        out.write("")
        out.write(_("演示账号（仅用于开发和演示）："))
        for line in login_table(summary.logins):
            out.write(f"  {line}")
