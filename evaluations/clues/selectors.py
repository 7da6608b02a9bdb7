"""Reads about complaint clues for the public: how far a clue has come, by its receipt number."""

import datetime
from dataclasses import dataclass
from enum import StrEnum

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from credit_registry.common import identity
from evaluations.models import RECEIPT_LENGTH, ClueStatus, ComplaintClue


class Stage(StrEnum):
    RECEIVED = "received"
    ASSIGNED = "assigned"
    CONCLUDED = "concluded"


STAGE_LABELS = {
    Stage.RECEIVED: _("已受理"),
    Stage.ASSIGNED: _("已分派核查"),
    Stage.CONCLUDED: _("已办结"),
}


@dataclass(frozen=True)
class ClueProgress:
    """All the public learns of a clue: its stage and the day it got there. Never its content,
    its subject, its conclusion or who reported it."""

    stage: Stage
    since: datetime.date

    @property
    def label(self) -> str:
        return STAGE_LABELS[self.stage]


def normalize_receipt_number(text: str) -> str:
    """What a person typed (spaces, dashes, lower case, full-width) -> the stored form."""
    return "".join(ch for ch in identity.normalize_code(text) if ch.isalnum())


def clue_progress(receipt_number: str) -> ClueProgress | None:
    number = normalize_receipt_number(receipt_number)
    if len(number) != RECEIPT_LENGTH:
        return None
    clue = (
        ComplaintClue.objects.filter(receipt_number=number)
        .only("status", "received_at", "assigned_at", "closed_at")
        .first()
    )
    if clue is None:
        return None
    if clue.status == ClueStatus.RECEIVED:
        stage, at = Stage.RECEIVED, clue.received_at
    elif clue.status == ClueStatus.ASSIGNED:
        stage, at = Stage.ASSIGNED, clue.assigned_at or clue.received_at
    else:
        stage, at = Stage.CONCLUDED, clue.closed_at or clue.received_at
    return ClueProgress(stage=stage, since=timezone.localdate(at))
