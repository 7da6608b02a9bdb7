"""Reads about objections and repair applications."""

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from evaluations.models import (
    Objection,
    ObjectionStatus,
)


def overdue_objections(today: datetime.date | None = None) -> QuerySet[Objection]:
    today = today or timezone.localdate()
    return Objection.objects.filter(status=ObjectionStatus.OPEN, due_on__lt=today)
