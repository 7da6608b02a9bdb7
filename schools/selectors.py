"""The schools' integrity-education activities as the annual assessment, the reports and the
public news read them: counts per school, a summary of a year, the latest news; and which
schools have not filed their self-assessment.

The scoring of activities lives with the assessment (``evaluations.assessment.scoring``); this
module knows only the schools' own data.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, QuerySet, Sum

from schools.models import (
    ActivityPhoto,
    ChecklistKind,
    IntegrityActivity,
    OperationChecklist,
    School,
)

# --- activities in the assessment and the reports -----------------------------------------------


@dataclass(frozen=True)
class ActivityNews:
    date: datetime.date
    school: str
    kind: str
    title: str
    pk: int | None = None  # the public page of the activity


@dataclass(frozen=True)
class ActivitySummary:
    total: int
    participants: int
    by_kind: list[tuple[str, int]]
    highlights: list[ActivityNews]


def counted_activities(year: int) -> QuerySet[IntegrityActivity]:
    return IntegrityActivity.objects.filter(year=year, excluded_reason="")


def activity_counts(year: int, *, school_ids: Iterable[int] | None = None) -> dict[int, int]:
    """How many counting activities each school (or each of ``school_ids``) held in the year."""
    activities = counted_activities(year)
    if school_ids is not None:
        activities = activities.filter(school_id__in=list(school_ids))
    rows = activities.values("school").annotate(n=Count("id")).order_by()
    return {row["school"]: row["n"] for row in rows}


def activity_summary(year: int, school: School | None = None) -> ActivitySummary:
    activities = counted_activities(year)
    if school is not None:
        activities = activities.filter(school=school)
    totals = activities.aggregate(n=Count("id"), people=Sum("participant_count"))
    labels = dict(IntegrityActivity._meta.get_field("kind").choices)
    by_kind = [
        (str(labels[row["kind"]]), row["n"])
        for row in activities.values("kind").annotate(n=Count("id")).order_by("-n", "kind")
    ]
    return ActivitySummary(
        total=totals["n"],
        participants=totals["people"] or 0,
        by_kind=by_kind,
        highlights=_news(activities, 8),
    )


def _news(activities: QuerySet[IntegrityActivity], limit: int) -> list[ActivityNews]:
    return [
        ActivityNews(
            date=a.held_on,
            school=a.school.name,
            kind=a.get_kind_display(),
            title=a.title,
            pk=a.pk,
        )
        for a in activities.select_related("school").order_by("-held_on", "-id")[:limit]
    ]


def public_activities() -> QuerySet[IntegrityActivity]:
    """The activities that are public news, with their text and photos: every activity of a
    school in operation that the bureau has not excluded (an excluded one — photos not matching
    the activity, say — leaves the news with its photos)."""
    return IntegrityActivity.objects.filter(excluded_reason="", school__active=True)


def activity_news(limit: int = 20) -> list[ActivityNews]:
    return _news(public_activities(), limit)


def activity_photos(activities: QuerySet[IntegrityActivity], pk: int) -> QuerySet[ActivityPhoto]:
    """The photos of activity ``pk`` when it is one of ``activities`` (what a role may see, or
    ``public_activities()``); nothing otherwise. Only activity photos: never evidence files."""
    return ActivityPhoto.objects.filter(activity__in=activities.filter(pk=pk))


# --- target assessment and annual inspection --------------------------------------------------


# --- the principal's dashboard ---------------------------------------------------------------


# --- lists of people ---------------------------------------------------------------------------


def schools_without_self_assessment(year: int) -> QuerySet[School]:
    """Schools in operation that have not filed their own checklist (学校自查) for ``year``."""
    return School.objects.filter(active=True).exclude(
        pk__in=OperationChecklist.objects.filter(
            year=year, kind=ChecklistKind.SELF_ASSESSMENT
        ).values("school")
    )
