"""Trigram indexes for the admin site's name searches, created by migrations on PostgreSQL.

The admin lists of teachers and students search names with ``icontains``, which PostgreSQL runs
as ``UPPER(name) LIKE UPPER('%word%')``. A GIN index of ``UPPER(name)`` with ``pg_trgm``'s
operator class answers that from the index for words of three or more characters (most full
Chinese names); shorter words have no whole trigram and still read every row. ``pg_trgm`` is a
trusted extension, so the database's owner may create it; where that is refused the index is
skipped with a message and searches work as before, only slower. SQLite has neither and needs
none at demo size.
"""

import sys

from django.db import DatabaseError, transaction


def trigram_index(table: str, column: str, name: str):
    """(forwards, backwards) for ``migrations.RunPython``."""

    def forwards(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return
        try:
            with transaction.atomic(using=connection.alias):
                schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except DatabaseError as error:
            print(f"\n  pg_trgm unavailable, {name} not created: {error}", file=sys.stderr)
            return
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")

    return forwards, backwards
