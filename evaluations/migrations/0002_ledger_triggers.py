"""Database guards for the ledger, so that a careless admin edit, a bulk UPDATE or a hand-typed
SQL statement cannot change history:

* a published credit record's content columns never change and the row is never deleted (only
  its status may move on: objection, amendment, revocation, repair);
* ledger entries are never updated or deleted.
"""

from django.db import migrations

RECORD = "evaluations_creditrecord"
LEDGER = "evaluations_ledgerentry"
# The content columns frozen at publication (kept literal: a migration must not change later).
PROTECTED_FIELDS = (
    "school_id", "teacher_id", "student_id", "item_id", "points", "points_reason", "occurred_on",
    "year", "source", "narrative", "recorded_by_id", "recorded_at", "approved_by_id",
    "approved_at", "published_by_id", "published_at", "amends_id",
)

_changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in PROTECTED_FIELDS)
_changed_sqlite = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in PROTECTED_FIELDS)

POSTGRES_FORWARD = f"""
CREATE OR REPLACE FUNCTION evaluations_guard_record() RETURNS trigger AS $$
BEGIN
    IF OLD.published_at IS NOT NULL THEN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'published credit record % cannot be deleted', OLD.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF {_changed} THEN
            RAISE EXCEPTION 'published credit record % cannot be changed; amend or revoke it', OLD.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER evaluations_guard_record
    BEFORE UPDATE OR DELETE ON {RECORD}
    FOR EACH ROW EXECUTE FUNCTION evaluations_guard_record();

CREATE OR REPLACE FUNCTION evaluations_guard_ledger() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are append-only'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER evaluations_guard_ledger
    BEFORE UPDATE OR DELETE ON {LEDGER}
    FOR EACH ROW EXECUTE FUNCTION evaluations_guard_ledger();
"""

POSTGRES_BACKWARD = f"""
DROP TRIGGER IF EXISTS evaluations_guard_record ON {RECORD};
DROP FUNCTION IF EXISTS evaluations_guard_record();
DROP TRIGGER IF EXISTS evaluations_guard_ledger ON {LEDGER};
DROP FUNCTION IF EXISTS evaluations_guard_ledger();
"""

SQLITE_FORWARD = [
    f"""CREATE TRIGGER evaluations_guard_record_delete BEFORE DELETE ON {RECORD}
        WHEN OLD.published_at IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'published credit record cannot be deleted'); END;""",
    f"""CREATE TRIGGER evaluations_guard_record_update BEFORE UPDATE ON {RECORD}
        WHEN OLD.published_at IS NOT NULL AND ({_changed_sqlite})
        BEGIN SELECT RAISE(ABORT, 'published credit record cannot be changed'); END;""",
    f"""CREATE TRIGGER evaluations_guard_ledger_update BEFORE UPDATE ON {LEDGER}
        BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;""",
    f"""CREATE TRIGGER evaluations_guard_ledger_delete BEFORE DELETE ON {LEDGER}
        BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS evaluations_guard_record_delete;",
    "DROP TRIGGER IF EXISTS evaluations_guard_record_update;",
    "DROP TRIGGER IF EXISTS evaluations_guard_ledger_update;",
    "DROP TRIGGER IF EXISTS evaluations_guard_ledger_delete;",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
