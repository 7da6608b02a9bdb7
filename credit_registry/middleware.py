"""The registry's own middleware.

Bad input answered before it reaches a view, with a 400 page in Chinese and English, and
nothing runs: a NUL byte in a query or form parameter (PostgreSQL refuses it in any text), and
parameters whose bytes are not UTF-8 (Django would quietly turn them into U+FFFD and search,
store or compare the damaged text).

Changes through any page move the counter that cached signed-in pages are checked against
(``ChangesMiddleware``)."""

from urllib.parse import unquote_to_bytes

from django.shortcuts import render

from credit_registry.common import generations

NUL = "\x00"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
URLENCODED = "application/x-www-form-urlencoded"


def _has_nul(query) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in query.lists())


def _undecodable(raw: bytes | str) -> bool:
    if isinstance(raw, str):
        raw = raw.encode("latin-1", errors="replace")
    try:
        unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


class BadInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query_string = request.META.get("QUERY_STRING", "")
        if NUL in request.path or _undecodable(query_string) or _has_nul(request.GET):
            return render(request, "400.html", status=400)
        if request.method == "POST":
            if request.content_type == URLENCODED and _undecodable(request.body):
                return render(request, "400.html", status=400)
            form = request.content_type in (URLENCODED, "multipart/form-data")
            if form and _has_nul(request.POST):
                return render(request, "400.html", status=400)
        return self.get_response(request)


class ChangesMiddleware:
    """Every request that may change data (any method but GET, HEAD, OPTIONS and TRACE) moves
    ``generations.REGISTRY`` once it is answered, whatever it changed: no page cached for a
    signed-in user (``credit_registry.freshness``) is served again after a change made through
    a page. Changes made outside a request leave history entries or move a counter themselves."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in SAFE_METHODS:
            generations.bump(generations.REGISTRY)
        return response
