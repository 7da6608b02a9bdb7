"""Backup and restore of the whole registry as one archive: the data as XML (natural keys, so
it loads into any freshly migrated database, SQLite or PostgreSQL) and the private files.

For a large PostgreSQL installation pg_dump/pg_restore are faster; this pair is what an operator
can run anywhere, and what the restore drill in the test suite exercises.
"""

import io
import tarfile
import tempfile
from pathlib import Path
from xml.etree import ElementTree

from django.conf import settings
from django.core.management import call_command
from django.db import transaction

# What a backup holds: people, roles and every app's data. Sessions, lockout counters, caches
# and task results are transient and left out.
INCLUDED = ["auth.user", "auth.group", "schools", "teachers", "students", "evaluations"]
OPTIONAL = ["credit_registry"]


def _labels() -> list[str]:
    from django.apps import apps

    labels = list(INCLUDED)
    for label in OPTIONAL:
        config = apps.get_app_config(label)
        if list(config.get_models()):
            labels.append(label)
    return labels


def create_backup(path: Path) -> dict:
    """Write the archive; returns counts per model for the operator."""
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
    """Load an archive into a freshly migrated, empty database; returns the number of objects."""
    from schools.models import School

    if School.objects.exists():
        raise ValueError(
            "目标数据库不是空库，请在新建并迁移的数据库上恢复 / Restore into a freshly migrated, "
            "empty database."
        )
    with tempfile.TemporaryDirectory() as workdir, tarfile.open(path, "r:gz") as archive:
        archive.extractall(workdir, filter="data")
        fixture = Path(workdir) / "data.xml"
        count = sum(1 for _ in ElementTree.parse(fixture).iter("object"))
        # loaddata resolves natural keys across the file and resets sequences; the catalog rows
        # and role groups made by the migrations are replaced by the backup's own.
        with transaction.atomic():
            call_command("loaddata", str(fixture), verbosity=0)
        private = Path(workdir) / "private"
        if private.exists():
            target = Path(settings.PRIVATE_MEDIA_ROOT)
            for source in private.rglob("*"):
                if source.is_file():
                    destination = target / source.relative_to(private)
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    destination.write_bytes(source.read_bytes())
    return count
