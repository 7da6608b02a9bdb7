from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from credit_registry.common.errors import error_text
from credit_registry.common.years import academic_year_label, academic_year_of
from evaluations.assessment.scoring import recompute_year


class Command(BaseCommand):
    help = "Recompute every subject's annual score and grade for one academic year."

    def add_arguments(self, parser):
        parser.add_argument(
            "--year",
            type=int,
            default=None,
            help="academic year by its first calendar year, e.g. 2025 for 2025—2026 (default: current)",
        )

    def handle(self, *args, year, **options):
        year = year or academic_year_of(timezone.localdate())
        try:
            summary = recompute_year(year=year)
        except ValidationError as error:
            raise CommandError(error_text(error, separator="; ")) from error
        grades = "，".join(f"{grade}：{count}" for grade, count in sorted(summary.by_grade.items()))
        self.stdout.write(
            self.style.SUCCESS(
                f"{academic_year_label(year)}：{summary.subjects}个对象已重新计算（{grades}），"
                f"用时{summary.seconds:.2f}秒。 / {summary.subjects} subjects in {summary.seconds:.2f} s."
            )
        )
