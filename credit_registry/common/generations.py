"""Counters that say "what this shows has changed": a cached page whose key holds the counter is
never served again after the change. A counter moves once the change is committed, so a page
rendered before the commit is never stored under the new value."""

from django.core.cache import cache
from django.db import transaction

# What the public lists show and keeps no history of its own to tell a change by: annual
# results (written by scoring) and an activity's exclusion from the news.
PUBLIC_LISTS = "public-lists"


def key(name: str) -> str:
    """The cache key holding the counter (to read it with other keys in one call)."""
    return f"generation:{name}"


def bump(name: str) -> None:
    """Mark everything cached under ``name`` out of date, when the current transaction
    commits (at once outside one)."""
    transaction.on_commit(lambda: _increment(name))


def _increment(name: str) -> None:
    cache.add(key(name), 0, timeout=None)
    try:
        cache.incr(key(name))
    except ValueError:  # evicted between the two calls
        cache.set(key(name), 1, timeout=None)
