"""The hash chain over the ledger: how a link is computed and how the chain is checked.

Each :class:`~evaluations.models.LedgerEntry` hashes its own content — the action, who, when,
why, and a canonical digest of the record it concerns — together with the previous link's hash.
Changing any past row, or the content of a published record, breaks the chain at that row.
"""

import datetime
import hashlib
from dataclasses import dataclass
from functools import lru_cache

import orjson
from django.db import transaction
from django.db.models import BooleanField, Case, F, OuterRef, Subquery, When
from django.utils.translation import gettext

from credit_registry.common.bulk import copy_create
from evaluations.models import STATE_AFTER, CreditRecord, LedgerEntry, LedgerHead

GENESIS = "0" * 64


@lru_cache(maxsize=65536)  # a district's history shares its timestamps and days widely
def _timestamp(value: datetime.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")


# Keys of the digest that describe where the record stands rather than what it says: they change
# with each link, so the content check leaves them out and the state check reads them.
STATE_KEYS = ("status",)


@lru_cache(maxsize=65536)
def _day(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def record_digest(record: CreditRecord) -> dict:
    """The canonical content of a record, its state and the tier it was published with: what
    each link vouches for."""
    return {
        "status": record.status,
        "polarity": record.polarity,
        "severity": record.severity,
        "vetoes": record.vetoes,
        "disclosed_until": _day(record.disclosed_until),
        "repairable_from": _day(record.repairable_from),
        "sanction_until": _day(record.sanction_until),
        "id": record.pk,
        "school": record.school_id,
        "teacher": record.teacher_id,
        "student": record.student_id,
        "item": record.item_id,
        "points": f"{record.points:.2f}",
        "points_reason": record.points_reason,
        "occurred_on": record.occurred_on.isoformat(),
        "year": record.year,
        "source": record.source,
        "narrative": record.narrative,
        "deciding_office": record.deciding_office,
        "document_number": record.document_number,
        "amends": record.amends_id,
        "recorded_by": record.recorded_by_id,
        "recorded_at": _timestamp(record.recorded_at),
        "approved_by": record.approved_by_id,
        "approved_at": _timestamp(record.approved_at),
        "published_by": record.published_by_id,
        "published_at": _timestamp(record.published_at),
    }


def entry_hash(
    *,
    prev_hash: str,
    record_id: int,
    action: str,
    actor_id: int,
    at: datetime.datetime,
    reason: str,
    payload: dict,
) -> str:
    # The canonical form is json.dumps(body, sort_keys=True, separators=(",", ":"),
    # ensure_ascii=False) in UTF-8; orjson writes the same bytes for these types (text, whole
    # numbers, None, booleans, dicts, lists; a test compares the two) several times faster.
    body = orjson.dumps(
        {
            "prev": prev_hash,
            "record": record_id,
            "action": action,
            "actor": actor_id,
            "at": _timestamp(at),
            "reason": reason,
            "payload": payload,
        },
        option=orjson.OPT_SORT_KEYS,
    )
    return hashlib.sha256(body).hexdigest()


def link_content(
    *,
    record,
    action: str,
    actor_id: int,
    at: datetime.datetime,
    prev_hash: str,
    reason: str = "",
    extra=None,
) -> tuple[dict, str]:
    """The payload and hash of one link for ``record`` (a record, or any object with a record's
    attributes) as it stands after ``action``, chained to ``prev_hash``."""
    if record.status != STATE_AFTER[action]:
        raise ValueError(f"{action} leaves a record {STATE_AFTER[action]}, not {record.status}")
    payload = {"record": record_digest(record)}
    if extra:
        payload.update(extra)
    digest = entry_hash(
        prev_hash=prev_hash,
        record_id=record.pk,
        action=action,
        actor_id=actor_id,
        at=at,
        reason=reason,
        payload=payload,
    )
    return payload, digest


def build_link(
    *,
    record: CreditRecord,
    action: str,
    actor_id: int,
    at: datetime.datetime,
    prev_hash: str,
    reason: str = "",
    extra=None,
) -> LedgerEntry:
    """One link (unsaved) for ``record`` as it stands after ``action``, chained to ``prev_hash``:
    the only place a link is put together (its content: ``link_content``)."""
    payload, digest = link_content(
        record=record,
        action=action,
        actor_id=actor_id,
        at=at,
        prev_hash=prev_hash,
        reason=reason,
        extra=extra,
    )
    return LedgerEntry(
        record=record,
        action=action,
        record_status=record.status,
        actor_id=actor_id,
        at=at,
        reason=reason,
        payload=payload,
        prev_hash=prev_hash,
        hash=digest,
    )


def append_entry(
    *, record: CreditRecord, action: str, by, at: datetime.datetime, reason: str = "", extra=None
) -> LedgerEntry:
    """Add one link for ``record`` as it stands after ``action`` (its status already set). The
    chain head row is locked so that concurrent appends line up."""
    with transaction.atomic():
        head, _ = LedgerHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"last_hash": GENESIS}
        )
        entry = build_link(
            record=record,
            action=action,
            actor_id=by.pk,
            at=at,
            prev_hash=head.last_hash,
            reason=reason,
            extra=extra,
        )
        entry.save()
        head.last_hash = entry.hash
        head.save(update_fields=["last_hash"])
    return entry


def move_record(
    *, record: CreditRecord, action: str, by, at: datetime.datetime, reason: str = "", extra=None
) -> LedgerEntry:
    """The one way a published record changes state: its new status and the link that vouches
    for it are written together (the database refuses the status without the link)."""
    with transaction.atomic():
        record.status = STATE_AFTER[action]
        entry = append_entry(record=record, action=action, by=by, at=at, reason=reason, extra=extra)
        record._state_linked = True
        record.save(update_fields=["status"])
    return entry


def publish(*, record: CreditRecord, by, at: datetime.datetime, reason: str = "") -> LedgerEntry:
    """Publish a stored record: fix its tier, chain the publication, then store both."""
    with transaction.atomic():
        record.status = STATE_AFTER["publish"]
        record.published_by = by
        record.published_at = at
        record.fix_tier()
        entry = append_entry(record=record, action="publish", by=by, at=at, reason=reason)
        record._state_linked = True
        record.save(
            update_fields=[
                "status",
                "published_by",
                "published_at",
                "polarity",
                "severity",
                "vetoes",
                "disclosed_until",
                "repairable_from",
                "sanction_until",
            ]
        )
    return entry


@dataclass(frozen=True)
class StateMismatch:
    record_id: int
    expected: str | None
    stored: str


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    checked: int
    broken_entry_id: int | None = None
    problem: str = ""
    mismatches: tuple[StateMismatch, ...] = ()


def state_mismatches(*, limit: int = 1000) -> list[StateMismatch]:
    """Published records whose stored status is not the state their newest link vouches for
    (``expected`` is None when a published record has no link at all)."""
    newest = LedgerEntry.objects.filter(record=OuterRef("pk")).order_by("-id")
    rows = (
        CreditRecord.objects.filter(published_at__isnull=False)
        .annotate(expected=Subquery(newest.values("record_status")[:1]))
        .annotate(
            agrees=Case(
                When(expected=F("status"), then=True), default=False, output_field=BooleanField()
            )
        )
        .filter(agrees=False)
        .values_list("pk", "expected", "status")
        .order_by("pk")
    )
    return [StateMismatch(pk, expected, stored) for pk, expected, stored in rows[:limit]]


def verify_chain(*, batch_size: int = 2000) -> ChainCheck:
    """Walk the whole chain in order; report the first link that does not hold."""
    expected_prev = GENESIS
    checked = 0
    entries = LedgerEntry.objects.order_by("id")
    for entry in entries.iterator(chunk_size=batch_size):
        if entry.prev_hash != expected_prev:
            return ChainCheck(
                False,
                checked,
                entry.pk,
                gettext("上一环哈希不符（条目被删除或插入）"),
            )
        recomputed = entry_hash(
            prev_hash=entry.prev_hash,
            record_id=entry.record_id,
            action=entry.action,
            actor_id=entry.actor_id,
            at=entry.at,
            reason=entry.reason,
            payload=entry.payload,
        )
        if recomputed != entry.hash:
            return ChainCheck(False, checked, entry.pk, gettext("条目内容被改动"))
        vouched = entry.payload.get("record", {}).get("status", STATE_AFTER.get(entry.action))
        if entry.record_status != vouched:
            return ChainCheck(False, checked, entry.pk, gettext("条目的状态与其哈希内容不符"))
        expected_prev = entry.hash
        checked += 1
    # The content of every published record must still be what its publication link vouched for.
    publications = (
        LedgerEntry.objects.filter(action="publish").select_related("record").order_by("id")
    )
    for entry in publications.iterator(chunk_size=batch_size):
        published = entry.payload["record"]
        current = record_digest(entry.record)
        # Links written before a key existed do not vouch for it; state is checked below.
        if any(current[key] != value for key, value in published.items() if key not in STATE_KEYS):
            return ChainCheck(
                False,
                checked,
                entry.pk,
                gettext("信用记录#%(record_id)s内容与公布时不一致")
                % {"record_id": entry.record_id},
            )
    head = LedgerHead.objects.filter(pk=1).first()
    if head and head.last_hash != expected_prev:
        return ChainCheck(False, checked, None, gettext("链尾被截断"))
    mismatches = state_mismatches()
    if mismatches:
        return ChainCheck(
            False,
            checked,
            None,
            gettext("信用记录的状态与账本不符"),
            tuple(mismatches),
        )
    return ChainCheck(True, checked)


def append_publications_bulk(*, records: list[CreditRecord], batch_size: int = 5000) -> int:
    """Chain the publication of many already-stored, published records at once (data loads of a
    whole district), each by its own publisher at its own time, in the order given. The links
    are the same as one :func:`append_entry` each would write; they are computed in order in
    Python and inserted in batches under the chain-head lock."""
    with transaction.atomic():
        head, _ = LedgerHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"last_hash": GENESIS}
        )
        previous = head.last_hash
        batch: list[LedgerEntry] = []
        for record in records:
            entry = build_link(
                record=record,
                action="publish",
                actor_id=record.published_by_id,
                at=record.published_at,
                prev_hash=previous,
            )
            batch.append(entry)
            previous = entry.hash
            if len(batch) >= batch_size:
                copy_create(LedgerEntry, batch)
                batch = []
        copy_create(LedgerEntry, batch)
        head.last_hash = previous
        head.save(update_fields=["last_hash"])
    return len(records)
