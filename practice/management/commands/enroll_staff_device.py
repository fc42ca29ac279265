from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from practice.accounts import enrolment_text, staff_devices_replace


class Command(BaseCommand):
    help = (
        "Enrol an authenticator app for a staff account and print one-time recovery "
        "codes. Replaces the account's existing devices (for a lost phone)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--device-name", default="Authenticator app")
        parser.add_argument(
            "--no-qr", action="store_true", help="Print the setup address without a QR code."
        )

    def handle(self, *args, username, device_name, no_qr, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account named {username!r}.")
        if not user.is_staff:
            raise CommandError(f"{username!r} is not a staff account.")

        totp, codes = staff_devices_replace(user=user, device_name=device_name)
        self.stdout.write(enrolment_text(totp=totp, codes=codes, qr=not no_qr))
        self.stdout.write(self.style.SUCCESS(f"Enrolled a device for {username}."))
