from django.conf import settings
from django_otp.admin import OTPAdminSite


class PracticeAdminSite(OTPAdminSite):
    """The admin, open only to staff verified by a second factor.

    A staff account without a confirmed device cannot sign in at all; devices
    are enrolled with `manage.py enroll_staff_device`.
    """

    site_title = "Practice admin"
    index_title = "Requests and articles"

    def __init__(self, name="admin"):
        # Keep the "admin" URL namespace (OTPAdminSite defaults to "otpadmin").
        super().__init__(name)

    @property
    def site_header(self):
        return settings.PRACTICE_NAME
