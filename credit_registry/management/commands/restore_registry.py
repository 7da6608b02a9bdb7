import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from credit_registry.backup import restore_backup
from evaluations.records.ledger import verify_chain


class Command(BaseCommand):
    help = (
        "Restore a backup archive into an empty database (new, or new and migrated) and verify "
        "the ledger."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)

    def handle(self, *args, archive, **options):
        if not archive.exists():
            raise CommandError(_("找不到备份文件：%(archive)s") % {"archive": archive})
        started = time.perf_counter()
        try:
            count = restore_backup(archive)
        except ValueError as error:
            raise CommandError(str(error)) from error
        restored = time.perf_counter() - started
        check = verify_chain()
        if not check.ok:
            raise CommandError(
                f"已恢复{count}个对象，但账本校验失败：条目#{check.broken_entry_id} {check.problem}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"已恢复{count}个对象，账本{check.checked}个环节校验通过 / "
                f"{count} objects restored in {restored:.1f} s, ledger intact "
                f"({check.checked} links, verified in {time.perf_counter() - started - restored:.1f} s)."
            )
        )
