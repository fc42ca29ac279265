from django.conf import settings
from django.core.management.base import BaseCommand

from intake import staff


class Command(BaseCommand):
    help = (
        "Delete requests closed more than INTAKE_RETENTION_DAYS ago, and requests held as "
        "possible spam for more than INTAKE_QUARANTINE_DAYS, with their notes, partner links, "
        "partner answers and notifications. Access records keep the reference."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be deleted; delete nothing."
        )

    def handle(self, *args, dry_run, **options):
        references = staff.requests_purge(dry_run=dry_run)
        days = settings.INTAKE_RETENTION_DAYS
        held_days = settings.INTAKE_QUARANTINE_DAYS
        if not references:
            self.stdout.write(
                f"No request was closed more than {days} days ago or held as possible spam "
                f"for more than {held_days} days: nothing to delete."
            )
            return
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(
            f"{verb} {len(references)} request(s) closed more than {days} days ago "
            f"or held as possible spam for more than {held_days} days:"
        )
        for reference in references:
            self.stdout.write(f"  {reference}")
        if dry_run:
            self.stdout.write("Dry run: nothing was deleted.")
        else:
            self.stdout.write(self.style.SUCCESS("Done."))
