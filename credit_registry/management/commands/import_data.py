import sys
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from credit_registry.access import is_bureau
from credit_registry.importing import run_import
from credit_registry.resources import RESOURCES


class Command(BaseCommand):
    help = (
        "Import schools, teachers, students or credit records from an .xlsx or .csv file, all or "
        "nothing, with the same checks as the admin site. 批量导入（全部成功或全部不写入）。"
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
        parser.add_argument("--chunk-size", type=int, default=5000)

    def handle(self, *args, kind, file, user, dry_run, chunk_size, **options):
        account = get_user_model().objects.filter(username=user, is_active=True).first()
        if account is None or not is_bureau(account):
            raise CommandError(
                f"用户{user}不存在或不是局机关管理员 / {user} is not a bureau admin."
            )
        try:
            raw = file.read_bytes()
        except OSError as error:
            raise CommandError(f"无法读取文件 / Cannot read {file}: {error}") from error
        started = time.perf_counter()
        report = run_import(
            resource_class=RESOURCES[kind],
            raw=raw,
            filename=file.name,
            by=account,
            dry_run=dry_run,
            chunk_size=chunk_size,
            progress=self._progress,
        )
        seconds = time.perf_counter() - started
        sys.stderr.write("\n")
        if not report.ok:
            for problem in report.problems[:200]:
                self.stderr.write(str(problem))
            if len(report.problems) > 200:
                self.stderr.write(f"……另有{len(report.problems) - 200}个问题")
            raise CommandError(
                f"导入失败，未写入任何数据：{len(report.problems)}个问题 / "
                f"Import failed, nothing written: {len(report.problems)} problems."
            )
        verb = "检查通过（未写入）" if dry_run else "已导入"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb}：共{report.total}行，新增{report.new}，更新{report.updated}，"
                f"未变{report.unchanged}；用时{seconds:.1f}秒（{report.total / seconds:.0f}行/秒）"
            )
        )

    @staticmethod
    def _progress(done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        sys.stderr.flush()
