"""Bad input answered before it reaches a view, with a 400 page in Chinese and English, and
nothing runs: a NUL byte in a query or form parameter (PostgreSQL refuses it in any text), and
parameters whose bytes are not UTF-8 (Django would quietly turn them into U+FFFD and search,
store or compare the damaged text)."""

from urllib.parse import unquote_to_bytes

from django.shortcuts import render

NUL = "\x00"
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
