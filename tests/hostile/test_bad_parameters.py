"""NUL bytes in parameters (PostgreSQL refuses them in any text) are answered with a 400 page
in Chinese before any view runs: every page without URL arguments, every admin list, and a form
post, for the public and for the bureau. Nothing is written, nothing gives a 500."""

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from evaluations.models import ComplaintClue

HOSTILE = {"q": "\x00", "page": "1\x00", "year": "\x002025", "status__exact": "\x00"}


def _plain_routes(patterns=None, prefix=""):
    """Every route that takes no URL argument."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _plain_routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern) and "<" not in route and not route.startswith("^"):
            yield "/" + route


PLAIN_ROUTES = sorted(set(_plain_routes()))


@pytest.mark.parametrize("route", PLAIN_ROUTES)
def test_every_plain_page_answers_400_to_a_nul_byte(client, bureau, route):
    for signed_in in (False, True):
        if signed_in:
            client.force_login(bureau)
        response = client.get(route, HOSTILE)
        assert response.status_code == 400, (route, response.status_code)
        assert "请求无效" in response.content.decode()


def test_every_admin_list_answers_400_to_a_nul_byte(client, bureau):
    client.force_login(bureau)
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url, HOSTILE).status_code == 400, url


def test_a_form_post_with_a_nul_byte_writes_nothing(client, db):
    before = ComplaintClue.objects.count()
    response = client.post(
        reverse("public:complaint"),
        {"subject_description": "某老师\x00", "content": "反映有偿补课问题，请核查处理。"},
    )
    assert response.status_code == 400
    assert ComplaintClue.objects.count() == before


def test_clean_parameters_still_reach_the_page(client, db):
    assert client.get(reverse("public:black_list"), {"page": "1"}).status_code == 200


@pytest.mark.parametrize("command", ["seed_demo", "seed_district"])
def test_demo_data_is_never_built_with_production_settings(settings, db, command):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from schools.models import School

    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="生产环境"):
        call_command(command)
    assert not School.objects.exists()
