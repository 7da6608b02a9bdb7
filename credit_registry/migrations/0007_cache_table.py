"""The database cache's table (rate limits, lockout counters) comes with the schema: the
production steps (migrate, collectstatic, gunicorn) need nothing else. ``createcachetable``
creates the table of every database cache in CACHES that does not exist yet and does nothing for
other backends (Redis, local memory), so this is safe to run anywhere and to run twice."""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("credit_registry", "0006_access_list_action")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
