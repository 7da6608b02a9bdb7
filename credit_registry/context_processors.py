from functools import partial

from django.conf import settings

from credit_registry.access import ROLE_LABELS, role_of
from evaluations.records.selectors import unread_notice_count


def registry(request):
    user = getattr(request, "user", None)
    role = role_of(user)
    return {
        "DISTRICT_NAME": settings.REGISTRY_DISTRICT_NAME,
        "SITE_TITLE": settings.REGISTRY_SITE_TITLE,
        "user_role": role.value,
        "user_role_label": ROLE_LABELS.get(role, ""),
        # Called by the template, once, where the navigation shows it: no query on pages
        # without it (the admin site, the public pages).
        "unread_notices": partial(unread_notice_count, user),
    }
