"""Searching names: the lookup the admin searches use, and the trigram indexes that serve it.

Names are Chinese and have no upper and lower case, so a word without cased letters is looked
up with ``contains`` (``name LIKE '%word%'``), which PostgreSQL answers from a GIN trigram index
of the column (``pg_trgm``) for words of three or more characters, and scans in about a third of
the time of ``UPPER(name) LIKE UPPER(…)`` for shorter ones. A word with Latin letters keeps
``icontains``. ``pg_trgm`` is a trusted extension, so the database's owner may create it; where
that is refused the index is skipped with a message and searches work as before, only slower.
SQLite has neither and needs none at demo size.
"""

import sys

from django.db import DatabaseError, transaction
from django.db.models import Q


def name_contains(field: str, word: str) -> Q:
    """``field`` contains ``word``, ignoring case where the word has any."""
    lookup = "contains" if word.lower() == word.upper() else "icontains"
    return Q(**{f"{field}__{lookup}": word})


def trigram_index(table: str, column: str, name: str):
    """(forwards, backwards) for ``migrations.RunPython``: a GIN trigram index of ``column``."""

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
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)"
        )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")

    return forwards, backwards
