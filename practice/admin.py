import secrets

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.db import transaction
from django_otp.admin import OTPAdminSite
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

# One answer for every way a sign-in can fail: it must not say which of the
# three was wrong, nor whether the account exists or has a second factor.
SIGN_IN_FAILED = (
    "That did not work: the username, password or code is not right, or the code has "
    "been used already. Please check all three and try again in a moment."
)
TOTP_DIGITS = 6


class OneTimeCodeInput(forms.TextInput):
    """A code is good once: a page shown again after a failure starts it empty."""

    def get_context(self, name, value, attrs):
        return super().get_context(name, None, attrs)


def verified_device(user, code: str):
    """The user's confirmed device that accepts `code` (and uses it up), or None.

    Six digits are the authenticator app's code; anything else is one of the
    recovery codes. Without a user (the password was wrong) or a device, the code
    is checked against a throwaway key, so that a failure costs the same however
    it came about.
    """
    is_app_code = len(code) == TOTP_DIGITS and code.isdigit()
    model = TOTPDevice if is_app_code else StaticDevice
    with transaction.atomic():
        # Locked, so that two tries at once both count toward the device's throttle.
        device = (
            model.objects.select_for_update()
            .filter(user_id=getattr(user, "pk", None), confirmed=True)
            .first()
        )
        if device is not None:
            return device if device.verify_token(code) else None
    if is_app_code:
        TOTP(secrets.token_bytes(20)).verify(int(code), tolerance=1)
    else:
        StaticToken.objects.filter(device_id=None, token=code).exists()
    return None


class StaffLoginForm(AdminAuthenticationForm):
    """Username, password and a one-time code, checked together, on one page.

    Every failure gets the same message and status after the same work: Django's
    ModelBackend runs the password hasher even for an unknown username, and a
    code is always checked (verified_device). A right password with a wrong
    code counts toward the lockout like any other failure, and is recorded.
    """

    password = forms.CharField(
        label="Password",
        strip=False,
        # Never written back into the page, whatever happens.
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}, render_value=False),
    )
    otp_token = forms.CharField(
        label="Code",
        max_length=64,
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
        widget=OneTimeCodeInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}
        ),
    )

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": SIGN_IN_FAILED,
        "inactive": SIGN_IN_FAILED,
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        # Authenticator apps show the code in two halves: "123 456".
        code = "".join((self.cleaned_data.get("otp_token") or "").split())
        if not (username and password and code):
            # A missing field is named next to it; nothing was checked yet.
            return self.cleaned_data

        user = authenticate(self.request, username=username, password=password)
        may_sign_in = user is not None and user.is_active and user.is_staff
        device = verified_device(user if may_sign_in else None, code)
        if not may_sign_in or device is None:
            if user is not None:
                # The password was right, so Django reported no failure: report
                # it, for django-axes' lockout and for the audit (intake.apps).
                user_login_failed.send(
                    sender=__name__, credentials={"username": username}, request=self.request
                )
            raise ValidationError(SIGN_IN_FAILED, code="invalid_login")
        # django-otp keeps this device in the session once Django signs the user in.
        user.otp_device = device
        self.user_cache = user
        return self.cleaned_data


class PracticeAdminSite(OTPAdminSite):
    """The admin, open only to staff verified by a second factor.

    A staff account without a confirmed device cannot sign in at all; accounts
    are made with `manage.py create_staff`, and devices replaced with
    `manage.py enroll_staff_device`.
    """

    site_title = "Practice admin"
    # Seen by every role, so it names nothing some roles may not open.
    index_title = "Administration"
    login_form = StaffLoginForm
    login_template = "admin/login_otp.html"

    def __init__(self, name="admin"):
        # Keep the "admin" URL namespace (OTPAdminSite defaults to "otpadmin").
        super().__init__(name)

    @property
    def site_header(self):
        return settings.PRACTICE_NAME
