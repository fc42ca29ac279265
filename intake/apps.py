from django.apps import AppConfig


def _address(request):
    # The same client address as sign-in limits and rate limits (TRUSTED_PROXY_COUNT).
    from practice.proxy import client_address

    return (client_address(request) or None) if request is not None else None


def record_login(sender, request, user, **kwargs):
    from intake import services
    from intake.models import AccessRecord

    services.access_records_create(
        action=AccessRecord.Action.LOGIN, user=user, ip_address=_address(request)
    )


def record_logout(sender, request, user, **kwargs):
    from intake import services
    from intake.models import AccessRecord

    # user is None when the session had already ended.
    services.access_records_create(
        action=AccessRecord.Action.LOGOUT, user=user, ip_address=_address(request)
    )


def record_login_failed(sender, credentials, request=None, **kwargs):
    from django.contrib.auth import get_user_model

    from intake import services
    from intake.models import AccessRecord

    # Only the name that was tried: Django has already masked the password, and
    # nothing else of the credentials is kept.
    username = str(credentials.get(get_user_model().USERNAME_FIELD) or "")
    services.access_records_create(
        action=AccessRecord.Action.LOGIN_FAILED, username=username, ip_address=_address(request)
    )


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = "Requests"

    def ready(self):
        # Django's auth signals are the one place sign-ins can be seen; what is
        # recorded goes through intake.services like every other access record.
        from django.contrib.auth import signals

        signals.user_logged_in.connect(record_login, dispatch_uid="intake_record_login")
        signals.user_logged_out.connect(record_logout, dispatch_uid="intake_record_logout")
        signals.user_login_failed.connect(
            record_login_failed, dispatch_uid="intake_record_login_failed"
        )
