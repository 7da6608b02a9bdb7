import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from credit_registry.backup import create_backup


class Command(BaseCommand):
    help = (
        "Back up the whole registry (data and private files) into one archive: pg_dump on "
        "PostgreSQL, portable XML on SQLite or with --portable."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--portable",
            action="store_true",
            help="XML that loads into any engine (slow for a large district)",
        )

    def handle(self, *args, archive, portable=False, **options):
        started = time.perf_counter()
        try:
            counts = create_backup(archive, portable=portable)
        except ValueError as error:
            raise CommandError(str(error)) from error
        total = sum(counts.values())
        records = counts.get("evaluations.creditrecord", 0)
        self.stdout.write(
            self.style.SUCCESS(
                f"已备份{total}个对象（其中信用记录{records}条）到{archive} / "
                f"{total} objects ({records} credit records) written to {archive} "
                f"in {time.perf_counter() - started:.1f} s"
            )
        )
