"""An index for the credit-record list filtered by academic year, newest first.

The admin list orders records by id (newest first); filtered by a year it would otherwise walk
the primary key back through every later year. The index is created in SQL so the models'
state is unchanged; it works the same on PostgreSQL and SQLite.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0004_evaluation_rounds")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS evaluations_creditrecord_year_id_idx "
            "ON evaluations_creditrecord (year, id)",
            reverse_sql="DROP INDEX IF EXISTS evaluations_creditrecord_year_id_idx",
        ),
    ]
