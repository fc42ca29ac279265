"""Editors keep the practice's pages, clinicians' licences and images too.

Adds to the Editors group made by intake's roles migration (0002_roles), after
it, since that migration sets the group's permissions exactly.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = [
    *(
        f"{action}_{model}"
        for model in ("page", "articleimage", "licence")
        for action in ("add", "change", "delete", "view")
    ),
    "publish_page",
    "view_historicalpage",
    "view_historicalauthor",
]


def grant(apps, schema_editor):
    using = schema_editor.connection.alias
    # As in intake's roles migration: permissions do not exist yet on a fresh database.
    app_config = apps.get_app_config("articles")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=using)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.using(using).filter(
        content_type__app_label="articles", codename__in=EDITOR_PERMISSIONS
    )
    if permissions.count() != len(EDITOR_PERMISSIONS):
        raise RuntimeError("Some of the editors' permissions are missing.")
    group, _ = Group.objects.using(using).get_or_create(name="Editors")
    group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    using = schema_editor.connection.alias
    group = Group.objects.using(using).filter(name="Editors").first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.using(using).filter(
                content_type__app_label="articles", codename__in=EDITOR_PERMISSIONS
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0005_team_pages_and_images"),
        ("intake", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
