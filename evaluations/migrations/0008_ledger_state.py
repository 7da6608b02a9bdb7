"""The ledger covers a record's state, not only its content.

* Each ledger entry stores the state it leaves its record in (``record_status``), which its hash
  covers through the record digest.
* A record keeps who last edited, submitted and returned it, and when.
* A record keeps the tier it was published with (polarity, severity, veto, end of disclosure,
  earliest repair), so that a later catalog edit applies only to records published afterwards.
* The record guard now also refuses a published record's state change unless the record's newest
  ledger entry vouches for the new state, and it freezes the tier columns with the content.

Existing rows are filled in from the catalog as it stands and from each entry's action.
"""

import datetime

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

RECORD = "evaluations_creditrecord"
LEDGER = "evaluations_ledgerentry"
# Frozen at publication (kept literal: a migration must not change later).
PROTECTED_FIELDS = (
    "school_id", "teacher_id", "student_id", "item_id", "points", "points_reason", "occurred_on",
    "year", "source", "narrative", "recorded_by_id", "recorded_at", "approved_by_id",
    "approved_at", "published_by_id", "published_at", "amends_id", "polarity", "severity",
    "vetoes", "disclosed_until", "repairable_from",
)
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
STATE_AFTER = {
    "publish": "published",
    "object": "under_objection",
    "uphold": "published",
    "amend": "amended",
    "revoke": "revoked",
    "repair": "repaired",
}

_changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in PROTECTED_FIELDS)
_changed_sqlite = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in PROTECTED_FIELDS)
_newest_state = (
    f"(SELECT record_status FROM {LEDGER} WHERE record_id = NEW.id ORDER BY id DESC LIMIT 1)"
)

POSTGRES_FORWARD = f"""
CREATE OR REPLACE FUNCTION evaluations_guard_record() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.published_at IS NOT NULL THEN
            RAISE EXCEPTION 'published credit record % cannot be deleted', OLD.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.published_at IS NOT NULL AND ({_changed}) THEN
        RAISE EXCEPTION 'published credit record % cannot be changed; amend or revoke it', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.published_at IS NOT NULL
        AND (OLD.published_at IS NULL OR NEW.status IS DISTINCT FROM OLD.status)
        AND NEW.status IS DISTINCT FROM {_newest_state} THEN
        RAISE EXCEPTION 'credit record % cannot become % without a ledger entry', NEW.id, NEW.status
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

POSTGRES_GUARD_LEDGER = f"""
DROP TRIGGER IF EXISTS evaluations_guard_ledger ON {LEDGER};
"""
POSTGRES_RESTORE_LEDGER = f"""
CREATE TRIGGER evaluations_guard_ledger
    BEFORE UPDATE OR DELETE ON {LEDGER}
    FOR EACH ROW EXECUTE FUNCTION evaluations_guard_ledger();
"""

# Adding columns makes SQLite rebuild both tables, which drops their triggers: all are made anew.
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS evaluations_guard_record_delete;",
    "DROP TRIGGER IF EXISTS evaluations_guard_record_update;",
    "DROP TRIGGER IF EXISTS evaluations_guard_record_state;",
    "DROP TRIGGER IF EXISTS evaluations_guard_ledger_update;",
    "DROP TRIGGER IF EXISTS evaluations_guard_ledger_delete;",
]
SQLITE_CREATE = [
    f"""CREATE TRIGGER evaluations_guard_record_delete BEFORE DELETE ON {RECORD}
        WHEN OLD.published_at IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'published credit record cannot be deleted'); END;""",
    f"""CREATE TRIGGER evaluations_guard_record_update BEFORE UPDATE ON {RECORD}
        WHEN OLD.published_at IS NOT NULL AND ({_changed_sqlite})
        BEGIN SELECT RAISE(ABORT, 'published credit record cannot be changed'); END;""",
    f"""CREATE TRIGGER evaluations_guard_record_state BEFORE UPDATE ON {RECORD}
        WHEN NEW.published_at IS NOT NULL
            AND (OLD.published_at IS NULL OR NEW.status IS NOT OLD.status)
            AND NEW.status IS NOT {_newest_state}
        BEGIN SELECT RAISE(ABORT, 'credit record state change without a ledger entry'); END;""",
    f"""CREATE TRIGGER evaluations_guard_ledger_update BEFORE UPDATE ON {LEDGER}
        BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;""",
    f"""CREATE TRIGGER evaluations_guard_ledger_delete BEFORE DELETE ON {LEDGER}
        BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;""",
]


def _fill(apps):
    LedgerEntry = apps.get_model("evaluations", "LedgerEntry")
    CreditRecord = apps.get_model("evaluations", "CreditRecord")
    for action, state in STATE_AFTER.items():
        LedgerEntry.objects.filter(action=action).update(record_status=state)
    records = CreditRecord.objects.filter(published_at__isnull=False).select_related("item")
    batch = []
    for record in records.iterator(chunk_size=2000):
        item = record.item
        published_on = record.published_at.astimezone(SHANGHAI).date()
        record.polarity = item.polarity
        record.severity = item.severity
        record.vetoes = item.vetoes
        record.disclosed_until = published_on + datetime.timedelta(days=item.disclosure_days)
        record.repairable_from = published_on + datetime.timedelta(days=item.repair_min_days)
        batch.append(record)
        if len(batch) >= 2000:
            CreditRecord.objects.bulk_update(
                batch, ["polarity", "severity", "vetoes", "disclosed_until", "repairable_from"]
            )
            batch = []
    CreditRecord.objects.bulk_update(
        batch, ["polarity", "severity", "vetoes", "disclosed_until", "repairable_from"]
    )


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_GUARD_LEDGER, params=None)
        _fill(apps)
        schema_editor.execute(POSTGRES_FORWARD, params=None)
        schema_editor.execute(POSTGRES_RESTORE_LEDGER, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)
        _fill(apps)
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement)
    else:
        _fill(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0007_result_scored_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="creditrecord",
            name="edited_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="最后修改人",
            ),
        ),
        migrations.AddField(
            model_name="creditrecord",
            name="edited_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="最后修改时间"),
        ),
        migrations.AddField(
            model_name="creditrecord",
            name="submitted_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="提交人",
            ),
        ),
        migrations.AddField(
            model_name="creditrecord",
            name="returned_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="退回人",
            ),
        ),
        migrations.AddField(
            model_name="creditrecord",
            name="returned_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="退回时间"),
        ),
        migrations.AddField(
            model_name="creditrecord",
            name="polarity",
            field=models.CharField(
                blank=True,
                choices=[("positive", "守信（加分）"), ("negative", "失信（扣分）")],
                max_length=10,
                verbose_name="性质（公布时）",
            ),
        ),
        migrations.AddField(
            model_name="creditrecord",
            name="severity",
            field=models.CharField(
                blank=True,
                choices=[("minor", "一般"), ("general", "较重"), ("severe", "严重")],
                max_length=10,
                verbose_name="严重程度（公布时）",
            ),
        ),
        migrations.AddField(
            model_name="creditrecord",
            name="vetoes",
            field=models.BooleanField(default=False, verbose_name="一票否决（公布时）"),
        ),
        migrations.AddField(
            model_name="creditrecord",
            name="disclosed_until",
            field=models.DateField(blank=True, null=True, verbose_name="公示截止日期"),
        ),
        migrations.AddField(
            model_name="creditrecord",
            name="repairable_from",
            field=models.DateField(blank=True, null=True, verbose_name="可申请修复日期"),
        ),
        migrations.AddField(
            model_name="ledgerentry",
            name="record_status",
            field=models.CharField(
                choices=[
                    ("draft", "草稿"),
                    ("submitted", "已提交"),
                    ("approved", "已审核"),
                    ("returned", "已退回"),
                    ("published", "已公布"),
                    ("under_objection", "异议处理中"),
                    ("amended", "已更正"),
                    ("revoked", "已撤销"),
                    ("repaired", "已修复"),
                ],
                default="published",
                editable=False,
                max_length=16,
                verbose_name="操作后状态",
            ),
            preserve_default=False,
        ),
        migrations.AddIndex(
            model_name="ledgerentry",
            index=models.Index(fields=["record", "-id"], name="ledger_record_newest"),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
        # The public lists now read the tier a record was published with: the list index
        # carries it, so that counting a list still reads the index alone.
        migrations.RunSQL(
            [
                "DROP INDEX IF EXISTS evaluations_creditrecord_public_list_idx",
                "CREATE INDEX evaluations_creditrecord_public_list_idx "
                "ON evaluations_creditrecord "
                "(published_at, id, item_id, polarity, severity, disclosed_until) "
                "WHERE status = 'published' AND student_id IS NULL",
            ],
            reverse_sql=[
                "DROP INDEX IF EXISTS evaluations_creditrecord_public_list_idx",
                "CREATE INDEX evaluations_creditrecord_public_list_idx "
                "ON evaluations_creditrecord (published_at, id, item_id) "
                "WHERE status = 'published' AND student_id IS NULL",
            ],
        ),
    ]
