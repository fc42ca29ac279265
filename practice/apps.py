from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PracticeConfig(AppConfig):
    name = "practice"
    verbose_name = "Practice"

    def ready(self):
        from practice import checks  # noqa: F401  (registers the deployment checks)


class PracticeAdminConfig(admin_apps.AdminConfig):
    """Django's admin, with `admin.site` being the two-factor PracticeAdminSite."""

    # Named in INSTALLED_APPS in place of django.contrib.admin; never the
    # config that "practice" itself stands for.
    default = False

    default_site = "practice.admin.PracticeAdminSite"
