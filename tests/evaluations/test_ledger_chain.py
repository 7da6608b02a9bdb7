"""Tamper evidence: the chain catches a row changed behind the application's back."""

import contextlib
import datetime
import hashlib
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluations.models import CreditRecord, LedgerEntry
from evaluations.records.ledger import entry_hash, verify_chain
from tests import factories


@contextlib.contextmanager
def guards_disabled(table: str):
    """What an intruder with database rights would do first: switch the guard triggers off.
    The test's transaction rolls it back."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table]
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f"DROP TRIGGER {name}")
    try:
        yield
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")


@pytest.fixture
def chain(bureau, teacher, other_teacher, school):
    return [
        factories.make_record(teacher, "T-PAID-TUTORING", by=bureau),
        factories.make_record(other_teacher, "T-GIFTS", by=bureau),
        factories.make_record(school, "S-ARBITRARY-FEES", by=bureau),
    ]


def test_intact_chain_verifies(chain, capsys):
    check = verify_chain()
    assert check.ok and check.checked == 3
    call_command("verify_ledger")
    assert "3" in capsys.readouterr().out


def test_record_content_changed_by_raw_sql_is_caught(chain):
    target = chain[1]
    with guards_disabled(CreditRecord._meta.db_table), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {CreditRecord._meta.db_table} SET points = 0 WHERE id = %s", [target.pk]
        )
    check = verify_chain()
    assert not check.ok
    assert check.broken_entry_id == LedgerEntry.objects.get(record=target).pk
    with pytest.raises(CommandError) as error:
        call_command("verify_ledger")
    assert f"#{check.broken_entry_id}" in str(error.value)


def test_ledger_entry_altered_by_raw_sql_is_caught(chain):
    entry = LedgerEntry.objects.get(record=chain[0])
    with guards_disabled(LedgerEntry._meta.db_table), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {LedgerEntry._meta.db_table} SET reason = 'nothing happened' WHERE id = %s",
            [entry.pk],
        )
    check = verify_chain()
    assert (check.ok, check.broken_entry_id) == (False, entry.pk)


def test_deleted_link_is_caught_at_the_next_one(chain):
    first, second, third = LedgerEntry.objects.order_by("id")
    with guards_disabled(LedgerEntry._meta.db_table), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {LedgerEntry._meta.db_table} WHERE id = %s", [second.pk])
    check = verify_chain()
    assert (check.ok, check.broken_entry_id) == (False, third.pk)


def test_bulk_publication_links_verify_like_single_ones(bureau, teacher, school):
    from django.utils import timezone

    from evaluations.models import RecordStatus
    from evaluations.records.ledger import append_publications_bulk

    factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    now = timezone.now()
    # A data load stores records already published (as the district builder does), then chains them.
    loaded = []
    for _ in range(3):
        record = CreditRecord(
            school=school,
            item=factories.item("S-DISCLOSURE"),
            points=factories.item("S-DISCLOSURE").default_points,
            occurred_on=now.date(),
            year=2025,
            source="routine",
            narrative="经核查属实。",
            status=RecordStatus.PUBLISHED,
            recorded_by=bureau,
            recorded_at=now,
            published_by=bureau,
            published_at=now,
        )
        record.fix_tier()
        loaded.append(record)
    loaded = CreditRecord.objects.bulk_create(loaded)
    records = list(CreditRecord.objects.filter(pk__in=[r.pk for r in loaded]).order_by("pk"))
    assert append_publications_bulk(records=records, batch_size=2) == 3
    check = verify_chain()
    assert check.ok and check.checked == 4


# --- the canonical form of a link ---------------------------------------------------------------

TEXT = st.characters(exclude_categories=("Cs",))  # any character text can hold (no lone surrogate)


@settings(max_examples=300, deadline=None)
@given(
    reason=st.text(alphabet=TEXT),
    narrative=st.text(alphabet=TEXT),
    points_reason=st.text(alphabet=TEXT),
    actor=st.integers(min_value=0, max_value=2**62),
)
def test_a_links_hash_is_sha256_of_the_canonical_json(reason, narrative, points_reason, actor):
    """The chain's definition: SHA-256 of ``json.dumps(..., sort_keys=True, separators=(",",
    ":"), ensure_ascii=False)`` in UTF-8. The ledger writes it with orjson for speed; any text,
    control characters and all, must give the same bytes, or old chains would stop verifying."""
    at = datetime.datetime(2026, 3, 16, 10, 0, tzinfo=datetime.UTC)
    payload = {"record": {"narrative": narrative, "points_reason": points_reason, "id": 7}}
    reference = json.dumps(
        {
            "prev": "0" * 64,
            "record": 7,
            "action": "publish",
            "actor": actor,
            "at": at.isoformat(timespec="microseconds"),
            "reason": reason,
            "payload": payload,
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    ).encode("utf-8")
    expected = hashlib.sha256(reference).hexdigest()
    got = entry_hash(
        prev_hash="0" * 64,
        record_id=7,
        action="publish",
        actor_id=actor,
        at=at,
        reason=reason,
        payload=payload,
    )
    assert got == expected
