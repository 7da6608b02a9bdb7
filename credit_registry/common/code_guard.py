"""Guessing one-time codes (questionnaire codes, pledge slips, parents' query codes) is limited
without ever refusing someone's valid code because of other people's misses.

A school's network or a mobile carrier puts hundreds of people behind one address, so misses are
not counted per address. They are counted per browser: each browser that tries a code gets a
random id kept in its session (a server-side record a client cannot invent), and a browser with
``misses_per_browser`` wrong codes in the hour is refused, its own misses only. A guesser who
throws the session away to start again is a new browser each time, and new browsers are
counted per address: past ``browsers_per_address`` in the hour, an address gets no new ones
(browsers it already has keep working). Each code space counts on its own.

What it costs: a guesser gets at most ``browsers_per_address × misses_per_browser`` tries an
hour from one address; a legitimate user is refused only after their own misses, or when their
address has opened more than ``browsers_per_address`` new browsers within the hour.
"""

import secrets
from dataclasses import dataclass

from credit_registry.common.client import client_address
from credit_registry.common.ratelimit import RateLimit

SESSION_KEY = "code_guard_browser"


@dataclass(frozen=True)
class CodeGuard:
    space: str
    misses_per_browser: int = 10
    browsers_per_address: int = 600

    @property
    def _misses(self) -> RateLimit:
        return RateLimit(f"code-miss:{self.space}", self.misses_per_browser)

    @property
    def _browsers(self) -> RateLimit:
        return RateLimit(f"code-browser:{self.space}", self.browsers_per_address)

    def admits(self, request) -> bool:
        """Whether this browser may try a code now (a new browser is counted and remembered)."""
        browser = request.session.get(SESSION_KEY)
        if browser is None:
            if self._browsers.count(client_address(request)) > self.browsers_per_address:
                return False
            browser = secrets.token_urlsafe(12)
            request.session[SESSION_KEY] = browser
        return not self._misses.exceeded(browser)

    def missed(self, request) -> bool:
        """Count a wrong code; ``True`` once this browser is past its limit."""
        if SESSION_KEY not in request.session and not self.admits(request):
            return True
        browser = request.session[SESSION_KEY]
        return self._misses.count(browser) >= self.misses_per_browser
