"""Bad input answered before it reaches a view: a NUL byte in a query or form parameter (which
PostgreSQL refuses in any text) gets a 400 page in Chinese and English, and nothing runs."""

from django.shortcuts import render

NUL = "\x00"


def _has_nul(query) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in query.lists())


class BadInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.path or _has_nul(request.GET):
            return render(request, "400.html", status=400)
        form = request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data")
        if request.method == "POST" and form and _has_nul(request.POST):
            return render(request, "400.html", status=400)
        return self.get_response(request)
