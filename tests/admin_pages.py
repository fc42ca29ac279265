"""The admin's own URLs, found from its URL patterns, and real addresses for them.

Shared by the role matrix (tests/security/test_admin_matrix.py) and the audit's
walk over every page that shows a request (tests/intake/test_audit_pages.py).
"""

from dataclasses import dataclass

from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import URLResolver, reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_tasks_db.models import DBTaskResult

from articles.models import ArticleImage
from intake.models import AccessRecord
from intake.notifications import send_notification
from tests.conftest import enrol_device
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    NoteFactory,
    NotificationFactory,
    PageFactory,
    PartnerResponseFactory,
    TopicFactory,
)

STANDARD_KINDS = ("changelist", "add", "change", "delete", "history", "simple_history", "redirect")


@dataclass(frozen=True)
class AdminURL:
    key: str  # a URL name, or a name for an unnamed pattern
    kind: str  # one of STANDARD_KINDS, or "view"
    model: str | None  # "app_label.modelname" for a model's own pattern


def admin_urls() -> list[AdminURL]:
    found = {}
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        for pattern in model_admin.get_urls():
            if pattern.name is None:
                found[prefix + "redirect"] = AdminURL(prefix + "redirect", "redirect", label)
                continue
            kind = pattern.name.removeprefix(prefix)
            found[pattern.name] = AdminURL(
                pattern.name, kind if kind in STANDARD_KINDS else "view", label
            )
    for pattern in admin.site.get_urls():
        if isinstance(pattern, URLResolver):
            continue  # a model's patterns, found above
        key = pattern.name or "catch_all"
        found.setdefault(key, AdminURL(key, "view", None))
    return sorted(found.values(), key=lambda url: url.key)


def one_of_each(settings) -> dict:
    """One real object of every registered model, by "app_label.modelname"."""
    # The production task backend, which keeps tasks in the database.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    office = get_user_model().objects.create_user("office", password="x" * 16, is_staff=True)
    article = ArticleFactory(draft=True)
    article.title = "Second version"
    article.save()
    page = PageFactory()
    page.save()
    author = AuthorFactory()
    author.save()
    answer = PartnerResponseFactory()
    intake_request, invitation = answer.intake_request, answer.invitation
    NoteFactory(intake_request=intake_request)
    notification = NotificationFactory(intake_request=intake_request)
    task = send_notification.enqueue(notification_id=notification.pk)
    return {
        "auth.group": Group.objects.get(name="Clinicians"),
        "auth.user": office,
        "django_tasks_database.dbtaskresult": DBTaskResult.objects.get(pk=task.id),
        "otp_totp.totpdevice": enrol_device(office),
        "otp_static.staticdevice": StaticDevice.objects.create(user=office, name="Recovery"),
        "axes.accessattempt": _axes(
            "AccessAttempt", failures_since_start=1, get_data="", post_data=""
        ),
        "axes.accesslog": _axes("AccessLog"),
        "axes.accessfailurelog": _axes("AccessFailureLog", locked_out=False),
        "articles.topic": TopicFactory(),
        "articles.author": author,
        "articles.articleimage": ArticleImage.objects.create(
            image="articles/images/missing.png", alt="A quiet room"
        ),
        "articles.article": article,
        "articles.page": page,
        "intake.intakerequest": intake_request,
        # The report's one page is its list (no object of its own).
        "intake.attributionreport": intake_request,
        "intake.notification": notification,
        "intake.partnerinvitation": invitation,
        "intake.accessrecord": AccessRecord.objects.create(
            username="office", action=AccessRecord.Action.LOGIN
        ),
    }


def _axes(model_name, **fields):
    model = apps.get_model("axes", model_name)
    return model.objects.create(
        username="someone",
        ip_address="192.0.2.1",
        user_agent="test",
        path_info="/admin/login/",
        **fields,
    )


def concrete(url: AdminURL, objects) -> str:
    """The URL with real values in it."""
    name = f"admin:{url.key}"
    if url.kind == "view":
        article = objects["articles.article"]
        special = {
            "app_list": lambda: reverse(name, kwargs={"app_label": "intake"}),
            "catch_all": lambda: reverse("admin:index") + "no-such-page/",
            "view_on_site": lambda: reverse(
                name, args=[ContentType.objects.get_for_model(article).pk, article.pk]
            ),
            "intake_intakerequest_triage": lambda: reverse(
                name, args=[objects["intake.intakerequest"].pk, "assign"]
            ),
            "autocomplete": lambda: (
                reverse(name) + "?app_label=articles&model_name=article&field_name=author&term="
            ),
        }
        if url.key in special:
            return special[url.key]()
        obj = objects.get(url.model) if url.model else None
        if obj is None:
            return reverse(name)
        return reverse(name, args=[obj.pk])
    obj = objects[url.model]
    if url.kind in ("changelist", "add"):
        return reverse(name)
    if url.kind == "redirect":
        return reverse(
            f"admin:{url.key.removesuffix('redirect')}change", args=[obj.pk]
        ).removesuffix("change/")
    if url.kind == "simple_history":
        return reverse(name, args=[obj.pk, obj.history.earliest("history_date").history_id])
    return reverse(name, args=[obj.pk])
