"""A partial index of the assessment results that are more than the base score.

A district's year has about 128,000 results, and all but a few thousand are the plain base
score. The recompute reads the scored ones (``evaluations.assessment.scored_sql``, the same
condition) to compare them with what it computed; with this index it reads those few instead of
every result of the year. PostgreSQL only (its JSON functions); on SQLite the same query scans,
which is fine at demo size.
"""

from django.db import migrations

INDEX = "evaluations_result_scored_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON evaluations_assessmentresult (year_id) "
            "WHERE (evaluation_score IS NOT NULL OR jsonb_array_length(explanation -> 'lines') > 1)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0006_record_public_list_index")]

    operations = [migrations.RunPython(create, drop)]
