"""The requests per article report (intake.attribution): its permission, given
to Editors (it shows no request) and Clinicians; and when each request became a
client, so that closing it later does not take it out of the count.

Requests already marked "became a client" count from their last change, the
nearest time known.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations, models
from django.db.models import F

REPORT_PERMISSION = "view_attribution_report"
ROLES = ("Editors", "Clinicians")


def grant(apps, schema_editor):
    using = schema_editor.connection.alias
    # As in 0002_roles: on a fresh database permissions do not exist yet.
    app_config = apps.get_app_config("intake")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=using)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.using(using).get(
        content_type__app_label="intake", codename=REPORT_PERMISSION
    )
    for name in ROLES:
        group, _ = Group.objects.using(using).get_or_create(name=name)
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    using = schema_editor.connection.alias
    Permission.objects.using(using).filter(
        content_type__app_label="intake", codename=REPORT_PERMISSION
    ).delete()


def date_clients(apps, schema_editor):
    IntakeRequest = apps.get_model("intake", "IntakeRequest")
    IntakeRequest.objects.using(schema_editor.connection.alias).filter(
        status="became_client"
    ).update(became_client_at=F("updated_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("intake", "0008_request_from_article"),
    ]

    operations = [
        migrations.CreateModel(
            name="AttributionReport",
            fields=[],
            options={
                "verbose_name": "requests per article",
                "verbose_name_plural": "requests per article",
                "permissions": [
                    ("view_attribution_report", "Can view the requests per article report")
                ],
                "proxy": True,
                "default_permissions": (),
                "indexes": [],
                "constraints": [],
            },
            bases=("intake.intakerequest",),
        ),
        migrations.AddField(
            model_name="intakerequest",
            name="became_client_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(date_clients, migrations.RunPython.noop),
        migrations.RunPython(grant, revoke),
    ]
