"""Students' names searched from an index in the admin site (``credit_registry.common.search``)."""

from django.db import migrations

from credit_registry.common.search import trigram_index


class Migration(migrations.Migration):
    dependencies = [("students", "0002_integrity_work")]

    operations = [
        migrations.RunPython(
            *trigram_index("students_student", "name", "students_student_name_trgm_idx")
        )
    ]
