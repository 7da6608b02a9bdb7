"""The one rate limiter: fixed windows counted in the shared cache, so every app server counts
together.

The window's number is part of the key, so a counter never outlives its window whatever the cache
backend does with timeouts (the database cache's ``incr`` resets them) and never expires early
(the default cache timeout of 300 s is overridden on every write).
"""

import time
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

HOUR = 60 * 60


class RateLimited(Exception):
    message = _("提交过于频繁，请稍后再试")


@dataclass(frozen=True)
class RateLimit:
    scope: str
    limit: int
    window: int = HOUR

    def _key(self, who: str) -> str:
        return f"rate:{self.scope}:{who}:{int(time.time()) // self.window}"

    def exceeded(self, who: str) -> bool:
        return (cache.get(self._key(who)) or 0) >= self.limit

    def count(self, who: str) -> int:
        """Count one more and return the count of this window."""
        key = self._key(who)
        cache.add(key, 0, timeout=self.window)
        try:
            hits = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=self.window)
            hits = 1
        cache.touch(key, self.window)
        return hits

    def reset(self, who: str) -> None:
        cache.delete(self._key(who))

    def hit(self, who: str) -> None:
        """Count one more; raise ``RateLimited`` once past the limit."""
        if self.count(who) > self.limit:
            raise RateLimited
