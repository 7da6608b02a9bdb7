"""Search boxes that take identifiers without putting them in a URL.

A search box posts its term. A name comes back as ``?q=王芳`` (a link anyone may bookmark); a term
that holds an identifier (six digits or more: an ID number, a student number, a phone) is kept
in the user's session under a random key and comes back as ``?s=<key>``, so the number never
reaches an access log, a proxy's log or the browser's history. Post, redirect, get: the list,
its pages and its filters work the same either way.
"""

import re
import secrets

from django.http import HttpResponseRedirect

from credit_registry.common.identity import normalize_code

SEARCH_VAR = "q"
KEY_VAR = "s"
SESSION_KEY = "search_terms"
KEPT = 20  # the newest terms a session keeps
MAX_LENGTH = 50

_IDENTIFIER = re.compile(r"\d{6,}")


def holds_identifier(term: str) -> bool:
    return bool(_IDENTIFIER.search(normalize_code(term)))


def posted_search(request) -> HttpResponseRedirect | None:
    """The redirect for a posted search term (``None`` when the request posts none)."""
    if request.method != "POST" or SEARCH_VAR not in request.POST:
        return None
    term = request.POST[SEARCH_VAR].replace("\x00", "").strip()[:MAX_LENGTH]
    query = request.GET.copy()
    for name, values in request.POST.lists():  # the form's other fields (a class, a year)
        if name not in (SEARCH_VAR, "csrfmiddlewaretoken") and not name.startswith("_"):
            query.setlist(name, [value for value in values if value])
    for name in (SEARCH_VAR, KEY_VAR, "p", "page"):
        query.pop(name, None)
    for name in [name for name, values in query.lists() if not values]:
        query.pop(name)
    if term and holds_identifier(term):
        query[KEY_VAR] = remember(request, term)
    elif term:
        query[SEARCH_VAR] = term
    return HttpResponseRedirect(f"{request.path}?{query.urlencode()}" if query else request.path)


def remember(request, term: str) -> str:
    terms = dict(request.session.get(SESSION_KEY, {}))
    key = secrets.token_urlsafe(9)
    terms[key] = term
    request.session[SESSION_KEY] = dict(list(terms.items())[-KEPT:])
    return key


def recalled(request, key: str) -> str:
    return request.session.get(SESSION_KEY, {}).get(key, "")


def search_term(request) -> str:
    """The term of the current list: from the session for ``?s=``, else ``?q=``."""
    key = request.GET.get(KEY_VAR)
    term = recalled(request, key) if key else request.GET.get(SEARCH_VAR, "")
    return term.replace("\x00", "").strip()[:MAX_LENGTH]
