"""The two staff roles, as groups with exactly these permissions.

Clinicians see and handle requests and may read articles; editors manage articles
and see no request. Exporting requests is granted to people one by one
(intake.export_intakerequest), never to a whole role.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "Clinicians": [
        ("intake", "view_intakerequest"),
        ("intake", "change_intakerequest"),
        ("intake", "view_note"),
        ("intake", "add_note"),
        ("intake", "view_partnerresponse"),
        ("intake", "view_partnerinvitation"),
        ("intake", "change_partnerinvitation"),
        ("intake", "view_notification"),
        ("articles", "view_article"),
        ("articles", "view_topic"),
        ("articles", "view_author"),
    ],
    "Editors": [
        *(
            ("articles", f"{action}_{model}")
            for model in ("article", "topic", "author")
            for action in ("add", "change", "delete", "view")
        ),
        ("articles", "publish_article"),
        ("articles", "view_historicalarticle"),
    ],
}


def create_roles(apps, schema_editor):
    using = schema_editor.connection.alias
    # Permissions are normally made by post_migrate, after every migration has
    # run; on a fresh database they do not exist yet. Make them now from the
    # migration state (create_permissions skips app configs without a models
    # module, which the migration state's configs never have).
    for label in ("intake", "articles"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in ROLES.items():
        permissions = []
        for app_label, codename in wanted:
            try:
                permissions.append(
                    Permission.objects.using(using).get(
                        content_type__app_label=app_label, codename=codename
                    )
                )
            except Permission.DoesNotExist as exc:
                raise RuntimeError(f"Permission {app_label}.{codename} is missing.") from exc
        group, _ = Group.objects.using(using).get_or_create(name=name)
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("intake", "0001_initial"),
        ("articles", "0002_search_index"),
    ]

    operations = [
        migrations.RunPython(create_roles, remove_roles),
    ]
