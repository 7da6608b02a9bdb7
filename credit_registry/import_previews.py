"""Uploaded files waiting between an import's preview and its confirmation. They hold personal
data, so none outlives ``LIFETIME``: a preview older than that cannot be confirmed, and expired
files are deleted whenever a new preview is kept and by ``manage.py purge_import_previews``
(run it daily from cron or the task scheduler).

A file's name carries the moment it was kept (``imports/<unix seconds>-<token>``), so its age
is read from the registry's clock, not from the file system's.
"""

import datetime
import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

FOLDER = "imports"
LIFETIME = datetime.timedelta(hours=24)


def keep(raw: bytes) -> str:
    """Store an uploaded file for its confirmation; the returned key finds it again."""
    purge_expired()
    key = f"{int(timezone.now().timestamp())}-{secrets.token_urlsafe(16)}"
    default_storage.save(f"{FOLDER}/{key}", ContentFile(raw))
    return key


def read(key: str) -> bytes | None:
    """The kept file, left in storage; None when unknown or expired (then deleted)."""
    path = f"{FOLDER}/{key}"
    if "/" in key or not default_storage.exists(path):
        return None
    if _expired(key):
        default_storage.delete(path)
        return None
    with default_storage.open(path, "rb") as stored:
        return stored.read()


def take(key: str) -> bytes | None:
    """The kept file, removed from storage; None when unknown or expired (then deleted)."""
    raw = read(key)
    if raw is not None:
        default_storage.delete(f"{FOLDER}/{key}")
    return raw


def purge_expired() -> int:
    """Delete every kept file past its lifetime; the number deleted."""
    try:
        _folders, names = default_storage.listdir(FOLDER)
    except FileNotFoundError:
        return 0
    expired = [name for name in names if _expired(name)]
    for name in expired:
        default_storage.delete(f"{FOLDER}/{name}")
    return len(expired)


def _expired(key: str) -> bool:
    stamp = key.split("-", 1)[0]
    if not stamp.isdigit():
        return True  # not ours, or from before keys carried their time
    kept = datetime.datetime.fromtimestamp(int(stamp), tz=datetime.UTC)
    return timezone.now() - kept > LIFETIME
