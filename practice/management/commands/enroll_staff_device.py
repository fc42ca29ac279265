import io

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODES = 10


class Command(BaseCommand):
    help = (
        "Enrol an authenticator app for a staff account and print one-time recovery "
        "codes. Replaces the account's existing devices."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--device-name", default="Authenticator app")
        parser.add_argument(
            "--no-qr", action="store_true", help="Print the setup address without a QR code."
        )

    @transaction.atomic
    def handle(self, *args, username, device_name, no_qr, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account named {username!r}.")
        if not user.is_staff:
            raise CommandError(f"{username!r} is not a staff account.")

        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        totp = TOTPDevice.objects.create(user=user, name=device_name, confirmed=True)
        recovery = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=recovery, token=c) for c in codes)

        self.stdout.write("Add this account to the staff member's authenticator app:\n")
        if not no_qr:
            import qrcode

            qr = qrcode.QRCode(border=1)
            qr.add_data(totp.config_url)
            buffer = io.StringIO()
            qr.print_ascii(out=buffer, invert=True)
            self.stdout.write(buffer.getvalue())
        self.stdout.write(f"  {totp.config_url}\n")
        self.stdout.write("Recovery codes (each works once; store them somewhere safe, offline):\n")
        for code in codes:
            self.stdout.write(f"  {code}")
        self.stdout.write(self.style.SUCCESS(f"Enrolled a device for {username}."))
