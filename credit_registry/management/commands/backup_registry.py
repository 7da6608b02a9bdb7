from pathlib import Path

from django.core.management.base import BaseCommand

from credit_registry.backup import create_backup


class Command(BaseCommand):
    help = "Back up the whole registry (data and private files) into one .tar.gz archive. 备份。"

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)

    def handle(self, *args, archive, **options):
        counts = create_backup(archive)
        total = sum(counts.values())
        records = counts.get("evaluations.creditrecord", 0)
        self.stdout.write(
            self.style.SUCCESS(
                f"已备份{total}个对象（其中信用记录{records}条）到{archive} / "
                f"{total} objects ({records} credit records) written to {archive}"
            )
        )
