import getpass
import secrets
import sys

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from practice.accounts import Role, enrolment_text, staff_create, staff_devices_replace


class Command(BaseCommand):
    help = (
        "Create a staff account in its role, with an authenticator-app device and "
        "recovery codes: everything needed to sign in to the admin."
    )
    # Tests hand the command a stdin of their own, as Django's createsuperuser allows.
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--role",
            required=True,
            choices=Role.values,
            help="; ".join(f"{role.label}" for role in Role),
        )
        parser.add_argument("--email", help="Asked for when missing and run in a terminal.")
        parser.add_argument(
            "--name", dest="full_name", help="Full name, as colleagues see it in the admin."
        )
        password = parser.add_mutually_exclusive_group()
        password.add_argument(
            "--password-from-stdin",
            action="store_true",
            help="Read the password from the first line of standard input (for scripts).",
        )
        password.add_argument(
            "--generate-password",
            action="store_true",
            help="Make up a strong password and print it once.",
        )
        parser.add_argument(
            "--no-qr", action="store_true", help="Print the setup address without a QR code."
        )

    def handle(self, *args, username, role, email, full_name, no_qr, **options):
        stdin = options.get("stdin") or sys.stdin
        interactive = stdin.isatty()
        if email is None:
            email = input("Email address (optional): ").strip() if interactive else ""
        if full_name is None:
            full_name = input("Full name (optional): ").strip() if interactive else ""
        generated = options["generate_password"]
        if generated:
            password = secrets.token_urlsafe(18)
        elif options["password_from_stdin"]:
            password = stdin.readline().rstrip("\r\n")
        else:
            password = self.ask_password()

        try:
            user = staff_create(
                username=username,
                role=role,
                password=password,
                email=email or "",
                full_name=full_name or "",
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        totp, codes = staff_devices_replace(user=user)

        self.stdout.write(self.style.SUCCESS(f"Created {username} ({Role(role).label})."))
        if generated:
            self.stdout.write(f"Password (shown only now): {password}")
        self.stdout.write(enrolment_text(totp=totp, codes=codes, qr=not no_qr))
        sign_in = settings.SITE_URL + reverse("admin:login")
        self.stdout.write(
            f"Sign in at {sign_in} with the username, the password and the 6-digit code "
            "the app shows."
        )

    def ask_password(self) -> str:
        try:
            first = getpass.getpass("Password (12 characters or more): ")
            second = getpass.getpass("The same password again: ")
        except (EOFError, KeyboardInterrupt) as exc:
            raise CommandError(
                "No password given: type it when asked, or use --password-from-stdin "
                "or --generate-password."
            ) from exc
        if first != second:
            raise CommandError("The two passwords differ; nothing was created.")
        return first
