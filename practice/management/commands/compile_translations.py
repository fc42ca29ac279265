from django.conf import settings
from django.core.management.base import BaseCommand

from practice.translations import catalogs_compile


class Command(BaseCommand):
    help = (
        "Compile the translation catalogs (locale/*/LC_MESSAGES/*.po) into the .mo "
        "files Django reads; only those whose source changed, unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Compile every catalog.")

    def handle(self, *args, force=False, **options):
        written = catalogs_compile(settings.LOCALE_PATHS, force=force)
        for compiled in written:
            self.stdout.write(f"compiled {compiled}")
        if not written:
            self.stdout.write("translations: up to date")
