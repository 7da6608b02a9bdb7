"""The restore drill: back up, restore into a fresh database, find everything and an intact chain."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from credit_registry.access import Role
from evaluations.disputes import services
from evaluations.models import CreditRecord, LedgerEntry
from tests import factories

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fresh_database_url(tmp_path):
    """A database nobody has used: a new PostgreSQL database when the suite runs on PostgreSQL,
    a new SQLite file otherwise."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    settings = connection.settings_dict
    name = f"restore_drill_{uuid.uuid4().hex[:8]}"
    params = {
        "host": settings["HOST"] or "127.0.0.1",
        "port": settings["PORT"] or 5432,
        "user": settings["USER"],
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"postgres://{settings['USER']}@{params['host']}:{params['port']}/{name}"
    with psycopg.connect(**params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(database_url: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": database_url}
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_a_portable_backup_restores_every_record_and_an_intact_chain(
    bureau, school, teacher, other_teacher, tmp_path, fresh_database_url, settings
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "media"
    published = factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    factories.make_record(other_teacher, "T-GIFTS", by=bureau, status="submitted")
    objection = services.file_objection(record=published, by=teacher.user, reason="不在场")
    services.decide_objection(
        objection=objection, by=bureau, outcome="amended", reason="改", points=-5
    )
    student = factories.make_student(school, factories.make_classroom(school, teacher))
    factories.make_record(student, "ST-INTEGRITY-STAR", by=bureau)
    expected = {
        "records": CreditRecord.objects.count(),
        "links": LedgerEntry.objects.count(),
        "published": sorted(CreditRecord.objects.published().values_list("pk", flat=True)),
    }
    archive = tmp_path / "registry-backup.tar.gz"
    from django.core.management import call_command

    call_command("backup_registry", str(archive), "--portable")

    manage(fresh_database_url, "migrate", "--noinput", "-v", "0")
    out = manage(fresh_database_url, "restore_registry", str(archive))
    assert f"{expected['links']}个环节校验通过" in out
    counted = manage(
        fresh_database_url,
        "shell",
        "-c",
        "import json; from evaluations.models import CreditRecord as R, LedgerEntry as L; "
        "print(json.dumps({'records': R.objects.count(), 'links': L.objects.count(), "
        "'published': sorted(R.objects.published().values_list('pk', flat=True))}))",
    )
    assert json.loads(counted.strip().splitlines()[-1]) == expected
    manage(fresh_database_url, "verify_ledger")
    # a second restore into the now non-empty database is refused
    env = {**os.environ, "DATABASE_URL": fresh_database_url}
    again = subprocess.run(
        [sys.executable, "manage.py", "restore_registry", str(archive)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert again.returncode != 0 and "空库" in again.stderr


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("sqlite") or not os.environ.get("DATABASE_URL"),
    reason="pg_dump and pg_restore need PostgreSQL",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_postgresql_backup_restores_schema_data_triggers_and_files(
    tmp_path, fresh_database_url, settings
):
    """pg_dump into the archive, pg_restore into a database that was only created (no migrate):
    the same records, an intact chain, the ledger's triggers, the evidence file."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "evidence").mkdir(parents=True)
    (tmp_path / "media" / "evidence" / "photo.jpg").write_bytes(b"\xff\xd8 evidence")
    bureau = factories.make_user("bureau", role=Role.BUREAU_ADMIN)
    school = factories.make_school()
    teacher = factories.make_teacher(school, "王老师")
    factories.make_record(teacher, "T-PAID-TUTORING", by=bureau)
    factories.make_record(teacher, "T-GIFTS", by=bureau, status="submitted")
    expected = {
        "records": CreditRecord.objects.count(),
        "links": LedgerEntry.objects.count(),
        "published": sorted(CreditRecord.objects.published().values_list("pk", flat=True)),
    }
    archive = tmp_path / "registry.tar"
    from django.core.management import call_command

    call_command("backup_registry", str(archive))
    restored_media = tmp_path / "restored-media"
    env = {
        **os.environ,
        "DATABASE_URL": fresh_database_url,
        "REGISTRY_PRIVATE_MEDIA_ROOT": str(restored_media),
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "restore_registry", str(archive)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{expected['links']}个环节校验通过" in done.stdout
    counted = manage(
        fresh_database_url,
        "shell",
        "-c",
        "import json; from evaluations.models import CreditRecord as R, LedgerEntry as L; "
        "print(json.dumps({'records': R.objects.count(), 'links': L.objects.count(), "
        "'published': sorted(R.objects.published().values_list('pk', flat=True))}))",
    )
    assert json.loads(counted.strip().splitlines()[-1]) == expected
    assert (restored_media / "evidence" / "photo.jpg").read_bytes() == b"\xff\xd8 evidence"
    # The planner has statistics at once (pg_restore leaves none).
    analyzed = manage(
        fresh_database_url,
        "shell",
        "-c",
        'from django.db import connection; c = connection.cursor(); c.execute("SELECT '
        "last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = "
        "'evaluations_creditrecord'\"); print(c.fetchone()[0])",
    )
    assert analyzed.strip().splitlines()[-1] == "True"
    # The schema is current and the triggers came with it: a published record's state cannot
    # be changed behind the ledger's back.
    assert "No changes" in manage(fresh_database_url, "makemigrations", "--check", "--dry-run")
    refused = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from evaluations.models import CreditRecord as R; from django.db import connection\n"
            "pk = R.objects.published().values_list('pk', flat=True).first()\n"
            "connection.cursor().execute(\"UPDATE evaluations_creditrecord SET status='revoked' WHERE id=%s\", [pk])",
        ],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": fresh_database_url},
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode != 0 and "ledger" in (refused.stderr + refused.stdout).lower()
    # A second restore into the now non-empty database is refused.
    again = subprocess.run(
        [sys.executable, "manage.py", "restore_registry", str(archive)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert again.returncode != 0 and "空库" in again.stderr
