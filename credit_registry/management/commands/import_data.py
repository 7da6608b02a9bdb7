import sys
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from credit_registry.access import is_bureau
from credit_registry.importing import run_import
from credit_registry.resources import RESOURCES


class Command(BaseCommand):
    help = (
        "Import schools, teachers, students or credit records from an .xlsx or .csv file, all or "
        "nothing, with the same checks as the admin site."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(RESOURCES))
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--user", required=True, help="the bureau admin the import is attributed to"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, write nothing"
        )

    def handle(self, *args, kind, file, user, dry_run, **options):
        account = get_user_model().objects.filter(username=user, is_active=True).first()
        if account is None or not is_bureau(account):
            raise CommandError(
                f"用户{user}不存在或不是局机关管理员 / {user} is not a bureau admin."
            )
        try:
            raw = file.read_bytes()
        except OSError as error:
            raise CommandError(
                _("无法读取文件%(file)s：%(error)s") % {"file": file, "error": error}
            ) from error
        started = time.perf_counter()
        report = run_import(
            resource_class=RESOURCES[kind],
            raw=raw,
            filename=file.name,
            by=account,
            dry_run=dry_run,
            progress=self._progress,
        )
        seconds = time.perf_counter() - started
        sys.stderr.write("\n")
        if not report.ok:
            for problem in report.problems[:200]:
                self.stderr.write(str(problem))
            if len(report.problems) > 200:
                self.stderr.write(
                    _("……另有%(count)s个问题") % {"count": len(report.problems) - 200}
                )
            raise CommandError(
                _("导入失败，未写入任何数据：%(count)s个问题") % {"count": len(report.problems)}
            )
        verb = _("检查通过（未写入）") if dry_run else _("已导入")
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "%(verb)s：共%(total)s行，新增%(new)s，更新%(updated)s，未变%(unchanged)s；"
                    "用时%(seconds).1f秒（%(rate).0f行/秒）"
                )
                % {
                    "verb": verb,
                    "total": report.total,
                    "new": report.new,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "seconds": seconds,
                    "rate": report.total / seconds,
                }
            )
        )

    @staticmethod
    def _progress(done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        sys.stderr.flush()
