"""The four role groups of SPEC §1. What each role may see and do is decided in
``credit_registry.access``; the groups only say who holds which role."""

from django.db import migrations

ROLES = ["bureau_admin", "inspector", "principal", "teacher"]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_groups, remove_groups)]
