from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from credit_registry.demo import DemoDataExists
from credit_registry.district import build_district


class Command(BaseCommand):
    help = (
        "Build a full-size district for benchmarks (~150 schools, 8,000 teachers, 120,000 "
        "students, 1,000,000 records at --scale 1) into an empty database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0)
        parser.add_argument(
            "--years", type=int, default=8, help="years of history before last year"
        )
        parser.add_argument("--seed", type=int, default=2019)

    def handle(self, *args, scale, years, seed, **options):
        if settings.PRODUCTION:
            raise CommandError(_("生产环境（DJANGO_PRODUCTION=true）不能生成演示数据"))
        if not 0 < scale <= 5:
            raise CommandError("--scale 须在0到5之间 / --scale must be in (0, 5].")
        try:
            summary = build_district(scale=scale, years=years, seed=seed, say=self.stdout.write)
        except DemoDataExists as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary.schools} schools, {summary.teachers:,} teachers, {summary.students:,} "
                f"students, {summary.records:,} records in {summary.seconds:.0f} s"
            )
        )
