"""Officers and legal teams of existing processes get the new right to read consultation
responses, as new processes grant it at creation."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    from django.apps import apps as global_apps

    create_permissions(global_apps.get_app_config("tenders"), verbosity=0)
    Permission = apps.get_model("auth", "Permission")
    GroupPerm = apps.get_model("tenders", "TenderGroupObjectPermission")
    read = Permission.objects.filter(
        content_type__app_label="tenders", codename="view_consultation_responses"
    ).first()
    if read is None:
        return
    holders = GroupPerm.objects.filter(
        permission__content_type__app_label="tenders",
        permission__codename__in=["act_officer", "act_legal"],
    )
    for row in holders:
        GroupPerm.objects.get_or_create(
            group_id=row.group_id, content_object_id=row.content_object_id, permission=read
        )


class Migration(migrations.Migration):
    dependencies = [("tenders", "0002_consultations"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
