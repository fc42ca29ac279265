"""Staff accounts and their second factor, as the management commands make them."""

import io

import qrcode
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import AbstractBaseUser, Group
from django.db import models, transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from intake.selectors import CLINICIANS_GROUP, EDITORS_GROUP

RECOVERY_CODES = 10


class Role(models.TextChoices):
    CLINICIAN = "clinician", "Clinician: sees and handles requests"
    EDITOR = "editor", "Editor: writes and publishes articles, sees no request"
    ADMIN = "admin", "Administrator: everything, including the audit trail"


ROLE_GROUPS = {Role.CLINICIAN: CLINICIANS_GROUP, Role.EDITOR: EDITORS_GROUP}


@transaction.atomic
def staff_create(
    *, username: str, role: str, password: str, email: str = "", full_name: str = ""
) -> AbstractBaseUser:
    """A staff account in its role's group (an administrator is a superuser).

    Raises django.core.exceptions.ValidationError for a username that is taken or
    malformed, a bad email address, or a password the validators refuse.
    """
    first_name, _, last_name = " ".join(full_name.split()).partition(" ")
    user = get_user_model()(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_staff=True,
        is_superuser=role == Role.ADMIN,
    )
    user.full_clean(exclude=["password"])
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save()
    if role in ROLE_GROUPS:
        user.groups.add(Group.objects.get(name=ROLE_GROUPS[role]))
    return user


@transaction.atomic
def staff_devices_replace(
    *, user: AbstractBaseUser, device_name: str = "Authenticator app"
) -> tuple[TOTPDevice, list[str]]:
    """A new authenticator-app device and recovery codes in place of any old ones.

    Returns the device (its config_url sets up the app) and the recovery codes,
    which are stored and shown nowhere else.
    """
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    totp = TOTPDevice.objects.create(user=user, name=device_name, confirmed=True)
    recovery = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=c) for c in codes)
    return totp, codes


def enrolment_text(*, totp: TOTPDevice, codes: list[str], qr: bool) -> str:
    """What to put in the authenticator app, and the recovery codes, for a terminal."""
    lines = ["Add this account to an authenticator app: scan the code or paste the address."]
    if qr:
        code = qrcode.QRCode(border=1)
        code.add_data(totp.config_url)
        buffer = io.StringIO()
        code.print_ascii(out=buffer, invert=True)
        lines.append(buffer.getvalue().rstrip("\n"))
    lines.append(f"  {totp.config_url}")
    lines.append("Recovery codes (each works once; keep them somewhere safe, offline):")
    lines.extend(f"  {code}" for code in codes)
    return "\n".join(lines)
