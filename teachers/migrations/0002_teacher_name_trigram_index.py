"""Teachers' names searched from an index in the admin site (``credit_registry.common.search``)."""

from django.db import migrations

from credit_registry.common.search import trigram_index


class Migration(migrations.Migration):
    dependencies = [("teachers", "0001_initial")]

    operations = [
        migrations.RunPython(
            *trigram_index("teachers_teacher", "name", "teachers_teacher_name_trgm_idx")
        )
    ]
