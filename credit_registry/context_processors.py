from django.conf import settings

from credit_registry.access import ROLE_LABELS, role_of


def registry(request):
    role = role_of(getattr(request, "user", None))
    return {
        "DISTRICT_NAME": settings.REGISTRY_DISTRICT_NAME,
        "SITE_TITLE": settings.REGISTRY_SITE_TITLE,
        "user_role": role.value,
        "user_role_label": ROLE_LABELS.get(role, ""),
    }
