"""Committee members act on the processes they are assigned to: the city-wide committee group
grant becomes one assignment per current committee user, so nobody loses access."""

from django.db import migrations


def assign(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    GroupPerm = apps.get_model("tenders", "TenderGroupObjectPermission")
    UserPerm = apps.get_model("tenders", "TenderUserObjectPermission")
    CommitteeMember = apps.get_model("tenders", "CommitteeMember")
    Group = apps.get_model("auth", "Group")
    act = Permission.objects.filter(content_type__app_label="tenders", codename="act_committee").first()
    view = Permission.objects.filter(content_type__app_label="tenders", codename="view_tender").first()
    if act is None:
        return
    for row in GroupPerm.objects.filter(permission=act):
        group = Group.objects.get(pk=row.group_id)
        for user in group.user_set.all():
            CommitteeMember.objects.get_or_create(tender_id=row.content_object_id, user_id=user.pk)
            for perm in (act, view):
                UserPerm.objects.get_or_create(user_id=user.pk, permission=perm,
                                               content_object_id=row.content_object_id)
        row.delete()


class Migration(migrations.Migration):
    dependencies = [("tenders", "0004_award")]

    operations = [migrations.RunPython(assign, migrations.RunPython.noop)]
