"""The decision a record rests on, and 诚信教育活动 counted once.

* A record names the decision it rests on — the deciding office (认定单位) and the document
  number (文号) — as the public lists cite it. Both are content: set before publication, covered
  by the ledger digest and frozen with the rest (the record guard is renewed with the two
  columns; on SQLite every guard is made anew because adding a column rebuilds the table).
* The catalog item 诚信教育活动 is retired: activities count from the schools' own log
  (``schools.IntegrityActivity``, capped by the policy), so a record of the item would count
  them a second time. Its records stay in the files and no longer count; none can be proposed.
"""

from django.db import migrations, models

RECORD = "evaluations_creditrecord"
LEDGER = "evaluations_ledgerentry"
# Frozen at publication (kept literal: a migration must not change later).
PROTECTED_FIELDS = (
    "school_id", "teacher_id", "student_id", "item_id", "points", "points_reason", "occurred_on",
    "year", "source", "narrative", "recorded_by_id", "recorded_at", "approved_by_id",
    "approved_at", "published_by_id", "published_at", "amends_id", "polarity", "severity",
    "vetoes", "disclosed_until", "repairable_from", "sanction_until", "deciding_office",
    "document_number",
)

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


ACTIVITY_ITEM_CODE = "S-INTEGRITY-ACTIVITY"


def guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_DROP + SQLITE_CREATE:
            schema_editor.execute(statement)


def retire_activity_item(apps, schema_editor):
    CatalogItem = apps.get_model("evaluations", "CatalogItem")
    CatalogItem.objects.filter(code=ACTIVITY_ITEM_CODE).update(active=False)


def restore_activity_item(apps, schema_editor):
    CatalogItem = apps.get_model("evaluations", "CatalogItem")
    CatalogItem.objects.filter(code=ACTIVITY_ITEM_CODE).update(active=True)


class Migration(migrations.Migration):

    dependencies = [
        ('evaluations', '0015_record_history'),
    ]

    operations = [
        migrations.AddField(
            model_name='creditrecord',
            name='deciding_office',
            field=models.CharField(blank=True, help_text='作出表彰或认定决定的单位，如：某某区教育局；公布后不能修改', max_length=100, verbose_name='认定单位'),
        ),
        migrations.AddField(
            model_name='creditrecord',
            name='document_number',
            field=models.CharField(blank=True, help_text='决定文件的文号，如：蕉教〔2025〕12号；公布后不能修改', max_length=60, verbose_name='文号'),
        ),
        migrations.RunPython(guards, migrations.RunPython.noop),
        migrations.RunPython(retire_activity_item, restore_activity_item),
    ]
