"""Pages served again from the cache until what they show changes, and never after.

A page is stored under a key made of everything it is rendered from that a request can vary (the
address, the language and, for a signed-in page, the user, the session and its CSRF secret) and
``version``: a value the caller computes from the database that moves with every change the page
could show. Each stored page also carries the values of the ``counters`` (``generations``) read
before it was rendered; it is served only while they still hold them. A page rendered while a
change commits is stored under the old values, so it is never served once the change is seen.

Nothing is stored or served while the user has messages waiting (they are shown once), and only
a complete 200 answer that sets no cookie of its own is stored.
"""

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

from credit_registry.common import generations

Render = Callable[[], HttpResponse]


def maxima(columns: Sequence[tuple[str, str]], extra: Sequence[str] = ()) -> tuple:
    """``max(column)`` of each (table, column) and each extra scalar SQL expression, in one
    statement: with an index on each column it reads one index entry per table."""
    quote = connection.ops.quote_name
    parts = [f"(SELECT max({quote(column)}) FROM {quote(table)})" for table, column in columns]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join([*parts, *extra])}")
        return cursor.fetchone()


def serve(
    request: HttpRequest,
    render: Render,
    *,
    version: Callable[[], str],
    counters: Sequence[str],
    seconds: int,
    signed_in: bool,
) -> HttpResponse:
    """The page ``render`` makes, from the cache when it holds it for this version and these
    counters. ``signed_in`` pages are kept per user and session; the others are shared by every
    anonymous visitor."""
    if request.method != "GET" or len(get_messages(request)):
        return _rendered(render())
    parts = [get_language(), request.get_full_path()]
    if signed_in:
        secret = request.META.get("CSRF_COOKIE")
        session = request.session.session_key
        if not (request.user.is_authenticated and secret and session):
            return _rendered(render())
        parts += [request.user.pk, session, secret]
    parts.append(version())
    key = "page:" + hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()
    names = [generations.key(counter) for counter in counters]
    held = _recent.get(key)
    found = cache.get_many(names if held else [*names, key])  # one round trip
    marks = tuple(
        found[name] if name in found else generations.start(counter)  # first use, or evicted
        for name, counter in zip(names, counters, strict=True)
    )
    if None in marks:
        return _rendered(render())
    stored = held or found.get(key)
    if stored is not None and stored[0] == marks:
        _recent.put(key, stored)
        response = HttpResponse(stored[1])
        for header, value in stored[2]:
            response[header] = value
        return response
    response = _rendered(render())
    if _storable(request, response):
        stored = (marks, response.content, list(response.items()))
        cache.set(key, stored, seconds)
        _recent.put(key, stored)
    return response


class _Recent:
    """The pages this process served last, up to a budget of bytes, so that a page read again
    is not fetched from the shared cache (a large admin list is a few hundred kilobytes); the
    counters are still read from the shared cache and checked on every request."""

    def __init__(self, budget: int):
        self.budget = budget
        self.size = 0
        self.pages: OrderedDict[str, tuple] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> tuple | None:
        with self.lock:
            return self.pages.get(key)

    def put(self, key: str, stored: tuple) -> None:
        with self.lock:
            previous = self.pages.pop(key, None)
            if previous is not None:
                self.size -= len(previous[1])
            self.pages[key] = stored
            self.size += len(stored[1])
            while self.size > self.budget and self.pages:
                _key, dropped = self.pages.popitem(last=False)
                self.size -= len(dropped[1])


_recent = _Recent(budget=32 * 1024 * 1024)


def _storable(request, response) -> bool:
    """A complete 200 answer that showed no message and sets no cookie but the CSRF cookie
    (which the admin's own CSRF check sets on its pages; the client holds it already)."""
    cookies = set(response.cookies) - {settings.CSRF_COOKIE_NAME}
    return (
        response.status_code == 200
        and not response.streaming
        and not cookies
        and not len(get_messages(request))
    )


def _rendered(response: HttpResponse) -> HttpResponse:
    """A template response rendered now, so that its content can be stored."""
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    return response
