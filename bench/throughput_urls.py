"""The product's URLs plus the benchmark's floor: a view that loads the session and the user,
as every signed-in page does, and returns the user's id."""

from django.conf import settings
from django.http import HttpResponse
from django.urls import include, path

PRODUCT_URLCONF = "credit_registry.urls"


def minimal(request):
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain")


urlpatterns = [
    path("__bench__/minimal/", minimal, name="bench_minimal"),
    path("", include(PRODUCT_URLCONF)),
]
assert settings.ROOT_URLCONF in (PRODUCT_URLCONF, __name__)
