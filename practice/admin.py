from django import forms
from django.conf import settings
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite
from django_otp.forms import OTPAuthenticationFormMixin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice


class StaffLoginForm(OTPAdminAuthenticationForm):
    """Username, password and a one-time code in one step.

    django-otp asks for a device choice before it checks a code; here the code's
    shape makes the choice when none was made: digits are the authenticator
    app's code, anything else is a recovery code.
    """

    otp_device = forms.CharField(required=False, label="Code from", widget=forms.Select)
    otp_token = forms.CharField(
        required=False,
        label="Code",
        help_text=("The 6-digit code from your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}
        ),
    )

    # Messages, not secrets (bandit reads "token" as a password: nosec B105).
    otp_error_messages = {
        **OTPAuthenticationFormMixin.otp_error_messages,
        "token_required": (  # nosec B105
            "Enter the 6-digit code from your authenticator app, or one of your recovery codes."
        ),
        "invalid_token": "That code is not right, or has been used already. Please try again.",  # nosec B105
        "device_required": (
            "This account has no second factor for that code. Ask the practice's "
            "administrator to enrol your authenticator app."
        ),
    }

    def _chosen_device(self, user):
        device = super()._chosen_device(user)
        token = (self.cleaned_data.get("otp_token") or "").strip()
        if device is None and token:
            model = TOTPDevice if token.isdigit() else StaticDevice
            # Locked like django-otp's own choice, so throttling counts every try.
            device = model.objects.select_for_update().filter(user=user, confirmed=True).first()
        return device


class PracticeAdminSite(OTPAdminSite):
    """The admin, open only to staff verified by a second factor.

    A staff account without a confirmed device cannot sign in at all; devices
    are enrolled with `manage.py enroll_staff_device`.
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
