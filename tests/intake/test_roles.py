import importlib
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse

from tests.conftest import otp_login
from tests.factories import ArticleFactory, IntakeRequestFactory

pytestmark = pytest.mark.django_db


def permission_names(group_name):
    group = Group.objects.get(name=group_name)
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def request_urls(intake_request):
    return {
        "changelist": reverse("admin:intake_intakerequest_changelist"),
        "add": reverse("admin:intake_intakerequest_add"),
        "change": reverse("admin:intake_intakerequest_change", args=[intake_request.pk]),
        "delete": reverse("admin:intake_intakerequest_delete", args=[intake_request.pk]),
        "history": reverse("admin:intake_intakerequest_history", args=[intake_request.pk]),
        "revoke": reverse("admin:intake_intakerequest_revoke", args=[intake_request.pk]),
        "notes": reverse("admin:intake_notification_changelist"),
        "invitations": reverse("admin:intake_partnerinvitation_changelist"),
    }


def test_the_migration_creates_the_clinicians_role():
    assert permission_names("Clinicians") == {
        "intake.view_intakerequest",
        "intake.change_intakerequest",
        "intake.view_note",
        "intake.add_note",
        "intake.view_partnerresponse",
        "intake.view_partnerinvitation",
        "intake.change_partnerinvitation",
        "intake.view_notification",
        "articles.view_article",
        "articles.view_topic",
        "articles.view_author",
        # Added by 0009_attribution_report.
        "intake.view_attribution_report",
    }


def test_the_migration_creates_the_editors_role_with_nothing_of_intake():
    names = permission_names("Editors")

    assert {
        "articles.add_article",
        "articles.change_article",
        "articles.delete_article",
        "articles.view_article",
        "articles.publish_article",
        "articles.add_topic",
        "articles.delete_author",
        "articles.view_historicalarticle",
    } <= names
    # Only the requests per article report (0009_attribution_report): counts, no request.
    assert {name for name in names if name.startswith("intake.")} == {
        "intake.view_attribution_report"
    }


def test_the_roles_migration_can_run_again_and_be_reversed():
    migration = importlib.import_module("intake.migrations.0002_roles")
    state_apps = MigrationLoader(connection).project_state(("intake", "0002_roles")).apps
    schema_editor = SimpleNamespace(connection=connection)

    migration.create_roles(state_apps, schema_editor)
    assert Group.objects.filter(name__in=["Clinicians", "Editors"]).count() == 2
    migration.remove_roles(state_apps, schema_editor)
    assert not Group.objects.filter(name__in=["Clinicians", "Editors"]).exists()
    migration.create_roles(state_apps, schema_editor)
    assert "intake.change_intakerequest" in permission_names("Clinicians")


def test_an_editor_gets_403_on_every_request_url(editor_client):
    intake_request = IntakeRequestFactory(journey="couples")

    statuses = {
        name: editor_client.get(url).status_code
        for name, url in request_urls(intake_request).items()
    }
    export = editor_client.post(
        reverse("admin:intake_intakerequest_changelist"),
        {"action": "export_csv", "_selected_action": [intake_request.pk]},
    )

    assert set(statuses.values()) == {403}, statuses
    assert export.status_code == 403


def test_an_editor_sees_no_requests_in_the_admin_index(editor_client):
    response = editor_client.get(reverse("admin:index"))

    apps = {app["app_label"]: app for app in response.context["app_list"]}
    assert "articles" in apps
    # Of intake, only the requests per article report: counts, no request.
    assert [model["object_name"] for model in apps["intake"]["models"]] == ["AttributionReport"]
    html = response.content.decode()
    assert reverse("admin:intake_intakerequest_changelist") not in html
    assert reverse("admin:intake_attributionreport_changelist") in html


def test_an_editor_manages_articles(editor_client):
    article = ArticleFactory()

    response = editor_client.get(reverse("admin:articles_article_change", args=[article.pk]))

    assert response.status_code == 200
    assert response.context["has_change_permission"]


def test_a_clinician_views_and_changes_requests(clinician_client, clinician):
    intake_request = IntakeRequestFactory()

    listing = clinician_client.get(reverse("admin:intake_intakerequest_changelist"))
    page = clinician_client.get(
        reverse("admin:intake_intakerequest_change", args=[intake_request.pk])
    )

    assert listing.status_code == page.status_code == 200
    assert page.context["has_change_permission"]


def test_a_clinician_cannot_delete_requests(clinician_client):
    intake_request = IntakeRequestFactory()

    response = clinician_client.get(
        reverse("admin:intake_intakerequest_delete", args=[intake_request.pk])
    )

    assert response.status_code == 403


def test_a_clinician_reads_articles_but_cannot_change_them(clinician_client):
    article = ArticleFactory(title="Before")
    url = reverse("admin:articles_article_change", args=[article.pk])

    page = clinician_client.get(url)
    attempt = clinician_client.post(url, {"title": "After"})

    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert attempt.status_code == 403
    article.refresh_from_db()
    assert article.title == "Before"
    assert clinician_client.get(reverse("admin:articles_article_add")).status_code == 403


def test_only_superusers_see_access_records(client, clinician, admin_user):
    url = reverse("admin:intake_accessrecord_changelist")

    otp_login(client, clinician)
    clinician_response = client.get(url)
    clinician_index = client.get(reverse("admin:index"))
    otp_login(client, admin_user)
    superuser_response = client.get(url)

    assert clinician_response.status_code == 403
    assert "Access records" not in clinician_index.content.decode()
    assert superuser_response.status_code == 200
