"""The project's URLs plus views that fail, for the error-page tests."""

from django.db import ProgrammingError
from django.urls import path

from practice.urls import handler400, handler403, handler404, handler500, urlpatterns

SECRET_DETAIL = "secret-detail /etc/passwd SELECT name, email FROM intake_intakerequest"


def raises_value_error(request):
    raise ValueError(SECRET_DETAIL)


def raises_database_error(request):
    raise ProgrammingError(f'syntax error at or near "{SECRET_DETAIL}"')


def raises_key_error(request):
    return {}[SECRET_DETAIL]


urlpatterns = [
    *urlpatterns,
    path("broken/value/", raises_value_error),
    path("broken/database/", raises_database_error),
    path("broken/key/", raises_key_error),
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
