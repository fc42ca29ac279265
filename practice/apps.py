from django.apps import AppConfig


class PracticeConfig(AppConfig):
    name = "practice"
    verbose_name = "Practice"

    def ready(self):
        from practice import checks  # noqa: F401  (registers the deployment checks)
