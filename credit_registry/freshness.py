"""Signed-in pages served from the cache until anything in the registry changes.

The main pages of every role — a teacher's file, a principal's dashboard and lists, the bureau's
workbench and admin lists — are rendered once per user, session and address and then served
from the shared cache, until one of these moves:

- ``generations.REGISTRY``: any change made through a page (``ChangesMiddleware``);
- ``generations.PUBLIC_LISTS``: results written, an activity excluded (also from the worker and
  the commands);
- ``registry_version()``: the newest row of every table: a history entry for any change of
  people, schools, accounts, records, the catalog or policies, whoever makes it and from where;
  a new row of anything else (a ledger link, an objection, an application, an activity, an
  answer); a year closed or reopened; and the day (periods and deadlines end at midnight).

Pages whose figures move in the worker without a new row (a batch's progress) or that list what
reading writes (the access log) are not served from the cache.

A view calls ``page(request, render)`` after its access checks and access-log lines, so both run
on every request, served from the cache or not.
"""

import datetime
import functools

from django.apps import apps
from django.db import connection
from django.utils import timezone

from credit_registry.common import cached_pages, generations
from credit_registry.models import AccessLog
from evaluations.models import AssessmentYear

SIGNED_IN_PAGE_SECONDS = 15 * 60
REGISTRY_APPS = ("auth", "credit_registry", "schools", "teachers", "students", "evaluations")


def registry_version(today: datetime.date | None = None) -> str:
    """One short statement that moves with every recorded change: the new rows of every table of
    the registry (a history entry for every change of what keeps history; a new decision,
    objection, application, activity, slip, answer or ledger link for the rest), the closed
    years, and the day."""
    years = connection.ops.quote_name(AssessmentYear._meta.db_table)
    new_rows, parameters = _new_rows()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT ({new_rows}), (SELECT max(closed_at) FROM {years}),"
            f" (SELECT count(*) FROM {years} WHERE closed_at IS NOT NULL)",
            parameters,
        )
        figures = cursor.fetchone()
    return ":".join(map(str, [today or timezone.localdate(), *figures]))


def _new_rows() -> tuple[str, list]:
    """A scalar query that grows with every row added to any table of the registry: the sum of
    the tables' id counters (PostgreSQL's sequences, SQLite's AUTOINCREMENT counters). Reading
    a counter reads no index, so this costs a fraction of a ``max(id)`` per table."""
    tables = [table for table, _column in _tables()]
    if connection.vendor == "postgresql":
        return "SELECT sum(pg_sequence_last_value(s::regclass)) FROM unnest(%s::text[]) AS s", [
            _sequences()
        ]
    marks = ", ".join(["%s"] * len(tables))  # SQLite, the other database the registry runs on
    return f"SELECT sum(seq) FROM sqlite_sequence WHERE name IN ({marks})", tables


@functools.cache
def _tables() -> list[tuple[str, str]]:
    """(table, primary key column) of every concrete model of the registry's apps and of the
    accounts, but the access log: reading a page writes it."""
    tables = {}
    for model in apps.get_models():
        meta = model._meta
        if meta.app_label not in REGISTRY_APPS or meta.proxy or model is AccessLog:
            continue
        tables[meta.db_table] = meta.pk.column
    return sorted(tables.items())


@functools.cache
def _sequences() -> list[str]:
    """The PostgreSQL sequences behind those tables' ids (looked up once per process)."""
    tables, columns = zip(*_tables(), strict=True)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_serial_sequence(quote_ident(t), c)"
            " FROM unnest(%s::text[], %s::text[]) AS x(t, c)",
            [list(tables), list(columns)],
        )
        return [name for (name,) in cursor.fetchall() if name]


def page(request, render: cached_pages.Render):
    """The signed-in page ``render`` makes, served from the cache while nothing changed."""
    return cached_pages.serve(
        request,
        render,
        version=registry_version,
        counters=[generations.REGISTRY, generations.PUBLIC_LISTS],
        seconds=SIGNED_IN_PAGE_SECONDS,
        signed_in=True,
    )
