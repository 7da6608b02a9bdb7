"""Reads about objections and repair applications."""

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from credit_registry import calendar
from evaluations.models import (
    Objection,
    ObjectionStatus,
)


def overdue_objections(today: datetime.date | None = None) -> QuerySet[Objection]:
    today = today or timezone.localdate()
    return Objection.objects.filter(status=ObjectionStatus.OPEN, due_on__lt=today)


# An objection is "due soon" when its deadline falls within this many working days.
DUE_SOON_WORKING_DAYS = 2


def objections_due_soon(today: datetime.date | None = None) -> QuerySet[Objection]:
    """Open objections whose deadline is today or within the next two working days."""
    today = today or timezone.localdate()
    horizon, _provisional = calendar.add_working_days(today, DUE_SOON_WORKING_DAYS)
    return Objection.objects.filter(
        status=ObjectionStatus.OPEN, due_on__gte=today, due_on__lte=horizon
    )
