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
    """One statement of indexed maxima that moves with every recorded change: the newest row of
    every table of the registry (a history entry for every change of what keeps history; a new
    decision, objection, application, activity, slip, answer or ledger link for the rest), the
    closed years, and the day."""
    years = connection.ops.quote_name(AssessmentYear._meta.db_table)
    figures = cached_pages.maxima(
        _newest_rows(),
        [
            f"(SELECT max(closed_at) FROM {years})",
            f"(SELECT count(*) FROM {years} WHERE closed_at IS NOT NULL)",
        ],
    )
    return ":".join(map(str, [today or timezone.localdate(), *figures]))


@functools.cache
def _newest_rows() -> list[tuple[str, str]]:
    """(table, primary key column) of every concrete model of the registry's apps and of the
    accounts, but the access log: reading a page writes it."""
    tables = {}
    for model in apps.get_models():
        meta = model._meta
        if meta.app_label not in REGISTRY_APPS or meta.proxy or model is AccessLog:
            continue
        tables[meta.db_table] = meta.pk.column
    return sorted(tables.items())


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
