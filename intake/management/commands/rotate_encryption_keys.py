from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from intake import crypto


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted value with the first key in FIELD_ENCRYPTION_KEYS, and "
        "compute the search hashes again. Put the new key first, keep the old ones after "
        "it, run this, then drop the old keys."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size", type=int, default=500, help="Rows read and written at a time."
        )

    def handle(self, *args, batch_size, **options):
        try:
            counts = crypto.encryption_keys_rotate(batch_size=batch_size)
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        for label, count in counts.items():
            self.stdout.write(f"{label}: {count} value(s) re-encrypted")
        self.stdout.write(
            self.style.SUCCESS(
                f"Re-encrypted {sum(counts.values())} value(s) with the first key. "
                "Older keys may now be removed from FIELD_ENCRYPTION_KEYS."
            )
        )
