from django.core.management.base import BaseCommand

from credit_registry import import_previews


class Command(BaseCommand):
    help = "Delete uploaded import files whose preview was never confirmed (older than 24 h)."

    def handle(self, *args, **options):
        deleted = import_previews.purge_expired()
        self.stdout.write(f"{deleted}")
