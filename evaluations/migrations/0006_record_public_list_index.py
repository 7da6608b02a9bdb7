"""An index for the public lists (black list, exemplars): published records of schools and
teachers, by publication time and catalog item.

Both lists keep published records of given catalog items published after a cutoff, newest
first. Walking this index backwards finds a page without visiting the rows it skips, and the
black list's count reads the index alone. Partial (students' records are never on a public
list, and they are most of the table), created in SQL so the models' state is unchanged; it
works the same on PostgreSQL and SQLite.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0005_record_year_id_index")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS evaluations_creditrecord_public_list_idx "
            "ON evaluations_creditrecord (published_at, id, item_id) "
            "WHERE status = 'published' AND student_id IS NULL",
            reverse_sql="DROP INDEX IF EXISTS evaluations_creditrecord_public_list_idx",
        ),
    ]
