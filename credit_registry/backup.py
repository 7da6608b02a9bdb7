"""Backup and restore of the whole registry as one archive with the private files.

Two formats, chosen by the database:

- **PostgreSQL**: ``pg_dump`` in its custom format (schema, data, the ledger's triggers, all in
  one), restored by ``pg_restore`` in a single transaction. Minutes for a full district.
- **Portable** (SQLite, or ``--portable``): the data as XML with natural keys, which loads into
  any freshly migrated database, SQLite or PostgreSQL. Right for a small installation or a move
  between engines; slow for a district (hours for a million records).

``restore_backup`` reads either, into a database that holds no data (freshly created, or
migrated and empty); the command then verifies the whole ledger chain.
"""

import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path
from xml.etree import ElementTree

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

PG_DUMP = "registry.dump"
MANIFEST = "manifest.json"
# Transient tables: their rows are not part of a backup (the tables themselves are).
TRANSIENT_TABLES = ("django_session", "registry_cache", "axes_*", "django_tasks_database_*")

# What a backup holds: people, roles and every app's data. Sessions, lockout counters, caches
# and task results are transient and left out.
INCLUDED = ["auth.user", "auth.group", "schools", "teachers", "students", "evaluations"]
OPTIONAL = ["credit_registry"]


def _labels() -> list[str]:
    from django.apps import apps

    labels = list(INCLUDED)
    for label in OPTIONAL:  # their own tables only (a proxy such as LoginLock has none)
        config = apps.get_app_config(label)
        labels += [m._meta.label_lower for m in config.get_models() if not m._meta.proxy]
    return labels


def create_backup(path: Path, *, portable: bool = False) -> dict:
    """Write the archive; returns counts per model for the operator."""
    if connection.vendor == "postgresql" and not portable:
        return _pg_backup(path)
    data = io.StringIO()
    # XML, because Django's JSON encoder cuts timestamps to milliseconds and the hash chain
    # covers them to the microsecond.
    call_command("dumpdata", *_labels(), natural_foreign=True, format="xml", stdout=data)
    payload = data.getvalue().encode("utf-8")
    counts: dict[str, int] = {}
    for element in ElementTree.fromstring(payload).iter("object"):
        counts[element.get("model")] = counts.get(element.get("model"), 0) + 1
    media = Path(settings.PRIVATE_MEDIA_ROOT)
    with tarfile.open(path, "w:gz") as archive:
        info = tarfile.TarInfo("data.xml")
        info.size = len(payload)
        archive.addfile(info, io.BytesIO(payload))
        if media.exists():
            archive.add(media, arcname="private")
    return counts


def restore_backup(path: Path) -> int:
    """Load an archive into a database that holds no data; returns the number of objects."""
    _refuse_a_database_with_data()
    with tempfile.TemporaryDirectory() as workdir, tarfile.open(path, "r:*") as archive:
        archive.extractall(workdir, filter="data")
        if (Path(workdir) / PG_DUMP).exists():
            count = _pg_restore(Path(workdir))
            _restore_private_files(Path(workdir) / "private")
            return count
        fixture = Path(workdir) / "data.xml"
        count = sum(1 for _ in ElementTree.parse(fixture).iter("object"))
        # loaddata resolves natural keys across the file and resets sequences; the catalog rows
        # and role groups made by the migrations are replaced by the backup's own.
        with transaction.atomic():
            call_command("loaddata", str(fixture), verbosity=0)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        _restore_private_files(Path(workdir) / "private")
    return count


def _refuse_a_database_with_data() -> None:
    tables = connection.introspection.table_names()
    if "schools_school" not in tables:
        return  # created, not migrated: only a PostgreSQL dump brings its own schema
    from schools.models import School

    if School.objects.exists():
        raise ValueError(_("目标数据库不是空库，请在新建（或新建并迁移）的数据库上恢复"))


def _restore_private_files(private: Path) -> None:
    if not private.exists():
        return
    target = Path(settings.PRIVATE_MEDIA_ROOT)
    for source in private.rglob("*"):
        if source.is_file():
            destination = target / source.relative_to(private)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)


# --- PostgreSQL: pg_dump / pg_restore ---------------------------------------------------------


def _pg_environment() -> dict:
    """The connection of the default database, for the client tools (no password on a
    command line)."""
    db = connection.settings_dict
    values = {
        "PGHOST": db.get("HOST") or "",
        "PGPORT": str(db.get("PORT") or ""),
        "PGUSER": db.get("USER") or "",
        "PGPASSWORD": db.get("PASSWORD") or "",
        "PGDATABASE": db["NAME"],
    }
    return {**os.environ, **{key: value for key, value in values.items() if value}}


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ValueError(
            _("找不到%(tool)s，请安装PostgreSQL客户端工具（postgresql-client）") % {"tool": name}
        )
    return found


def _run(command: list[str]) -> None:
    done = subprocess.run(command, env=_pg_environment(), capture_output=True, text=True)
    if done.returncode != 0:
        raise ValueError(
            _("%(program)s失败：%(error)s")
            % {"program": Path(command[0]).name, "error": done.stderr.strip()[-2000:]}
        )


def _counts() -> dict:
    from django.apps import apps

    counts = {}
    for label in _labels():
        models = (
            [apps.get_model(label)] if "." in label else apps.get_app_config(label).get_models()
        )
        for model in models:
            counts[model._meta.label_lower] = model._default_manager.count()
    return counts


def _pg_backup(path: Path) -> dict:
    counts = _counts()
    with tempfile.TemporaryDirectory() as workdir:
        dump = Path(workdir) / PG_DUMP
        excluded = [f"--exclude-table-data={table}" for table in TRANSIENT_TABLES]
        _run(
            [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", *excluded]
            + ["--file", str(dump)]
        )
        manifest = {
            "format": "pg_dump",
            "created_at": timezone.now().isoformat(),
            "counts": counts,
        }
        # The dump is compressed already: the archive around it is a plain tar.
        with tarfile.open(path, "w") as archive:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
            archive.add(dump, arcname=PG_DUMP)
            media = Path(settings.PRIVATE_MEDIA_ROOT)
            if media.exists():
                archive.add(media, arcname="private")
    return counts


def _pg_restore(workdir: Path) -> int:
    if connection.vendor != "postgresql":
        raise ValueError(
            _("这是PostgreSQL备份，只能恢复到PostgreSQL数据库（或用--portable重新备份）")
        )
    connection.close()  # --clean drops what a migrate made; no session of ours may hold a lock
    _run(
        [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges"]
        + ["--single-transaction", "--exit-on-error", "--dbname", connection.settings_dict["NAME"]]
        + [str(workdir / PG_DUMP)]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # pg_restore leaves the planner without statistics
    manifest = json.loads((workdir / MANIFEST).read_text())
    return sum(manifest["counts"].values())
