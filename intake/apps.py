from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = "Requests"

    def ready(self):
        # Django's auth signals are the one place sign-ins can be seen; what is
        # recorded goes through intake.staff like every other access record.
        from django.contrib.auth import signals

        from intake import staff

        signals.user_logged_in.connect(staff.record_login, dispatch_uid="intake_record_login")
        signals.user_logged_out.connect(staff.record_logout, dispatch_uid="intake_record_logout")
        signals.user_login_failed.connect(
            staff.record_login_failed, dispatch_uid="intake_record_login_failed"
        )
