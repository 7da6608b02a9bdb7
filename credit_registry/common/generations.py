"""Counters that say "what this shows has changed": a cached page stored with a counter's value
is never served again once the counter moves. A counter moves once the change is committed, so a
page rendered before the commit is never stored under the new value.

A counter starts at a random 60-bit number, not at zero: when a cache evicts or loses it, it
starts again at a value it (almost surely) never held, so no page stored before matches it."""

import secrets

from django.core.cache import cache
from django.db import transaction

# What the public lists show and keeps no history of its own to tell a change by: annual
# results (written by scoring) and an activity's exclusion from the news.
PUBLIC_LISTS = "public-lists"
# Any change made through a page (a POST, PUT, PATCH or DELETE, moved by
# ``credit_registry.middleware.ChangesMiddleware``) and any results written: what every cached
# page of a signed-in user is checked against.
REGISTRY = "registry"


def key(name: str) -> str:
    """The cache key holding the counter (to read it with other keys in one call)."""
    return f"generation:{name}"


def start(name: str) -> int | None:
    """Give a counter its first value, unless another process has just done so; the value it
    holds now (None if it was lost again at once)."""
    value = secrets.randbits(60)
    if cache.add(key(name), value, timeout=None):
        return value
    return cache.get(key(name))


def bump(name: str) -> None:
    """Mark everything cached under ``name`` out of date, when the current transaction
    commits (at once outside one)."""
    transaction.on_commit(lambda: _increment(name))


def _increment(name: str) -> None:
    start(name)
    try:
        cache.incr(key(name))
    except ValueError:  # evicted between the two calls
        start(name)
