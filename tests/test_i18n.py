"""Simplified Chinese by default, English on request, China Standard Time throughout."""

import ast
import json
import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from evaluations.models import CreditRecord, RecordStatus
from tests import factories

CATALOG = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
# Hand-written Chinese for what Django and the libraries leave in English (not made by
# makemessages: its msgids would be every Chinese msgid of the project).
OVERRIDES = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _switch_to(client, language: str, next_url: str = "/"):
    response = client.post(reverse("set_language"), {"language": language, "next": next_url})
    assert response.status_code == 302


def test_login_page_is_chinese_by_default(client, db):
    html = client.get(reverse("login")).content.decode()
    assert '<html lang="zh-hans">' in html
    assert "登录" in html and "用户名" in html and "密码" in html
    assert "Log in" not in html


def test_login_page_is_english_after_switching(client, db):
    _switch_to(client, "en", reverse("login"))
    html = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in html
    assert "Log in" in html and "Username" in html and "Password" in html
    assert "登录" not in html and "用户名" not in html
    _switch_to(client, "zh-hans", reverse("login"))
    assert "登录" in client.get(reverse("login")).content.decode()


def test_time_zone_is_china_standard_time():
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
    assert timezone.get_current_timezone_name() == "Asia/Shanghai"
    assert settings.LANGUAGE_CODE == "zh-hans"


def test_admin_changelist_of_credit_records_is_chinese(client, bureau, teacher):
    factories.make_record(teacher, "T-GIFTS", by=bureau, status=RecordStatus.SUBMITTED)
    client.force_login(bureau)
    html = client.get(reverse("admin:evaluations_creditrecord_changelist")).content.decode()
    assert '<html lang="zh-hans"' in html
    assert "信用记录" in html and "搜索" in html and "已提交" in html
    assert f"{settings.REGISTRY_DISTRICT_NAME}{settings.REGISTRY_SITE_TITLE}" in html
    assert 'action="/i18n/setlang/"' in html


def test_admin_login_page_offers_the_language_switch(client, db):
    html = client.get(reverse("admin:login")).content.decode()
    assert 'action="/i18n/setlang/"' in html and 'value="en"' in html
    assert f"{settings.REGISTRY_DISTRICT_NAME}{settings.REGISTRY_SITE_TITLE}" in html


def test_admin_changelist_of_credit_records_in_english(client, bureau, teacher):
    factories.make_record(teacher, "T-GIFTS", by=bureau, status=RecordStatus.SUBMITTED)
    client.force_login(bureau)
    _switch_to(client, "en")
    html = client.get(reverse("admin:evaluations_creditrecord_changelist")).content.decode()
    assert "Credit record" in html and "Search" in html and "Submitted" in html
    assert "已提交" not in html


def test_model_names_and_choices_have_english_names():
    with translation.override("en"):
        assert str(CreditRecord._meta.verbose_name) == "credit record"
        assert str(RecordStatus.PUBLISHED.label) == "Published"
    with translation.override("zh-hans"):
        assert str(CreditRecord._meta.verbose_name) == "信用记录"


def test_portal_for_an_account_without_a_role(client, db):
    client.force_login(factories.make_user())
    response = client.get(reverse("portal"))
    assert response.status_code == 403
    assert "账号尚未分配角色" in response.content.decode()
    _switch_to(client, "en")
    assert "no role" in client.get(reverse("portal")).content.decode()


def test_portal_names_the_teacher_and_the_school(client, principal, teacher, school):
    client.force_login(teacher.user)
    response = client.get(reverse("portal"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("teachers:my_file")
    assert "王老师" in response.content.decode()
    client.force_login(principal)
    response = client.get(reverse("portal"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("schools:dashboard")
    assert school.name in response.content.decode()


def test_every_message_of_the_catalog_is_translated():
    """makemessages followed by filling in every msgstr: no empty or fuzzy entry is left."""
    text = CATALOG.read_text(encoding="utf-8")
    entries = text.split("\n\n")[1:]  # the first block is the header
    assert entries
    for entry in entries:
        if entry.startswith("#~") or not entry.strip():
            continue  # obsolete strings no longer used anywhere
        assert "#, fuzzy" not in entry, entry
        translations = re.findall(r'^msgstr(?:\[\d\])? "(.*)"((?:\n".*")*)', entry, re.M)
        assert translations, entry
        for first, rest in translations:
            assert first or rest.strip(), entry


BILINGUAL_PAIR = re.compile(r"[\u4e00-\u9fff][^\n]{0,80} ?/ [A-Za-z]")
PRODUCT_SKIP = {".venv", "tests", "bench", "migrations", "node_modules"}


def _string_literals(source: str):
    """(line, text) of every string literal; an f-string's fields read as {}."""
    tree = ast.parse(source)
    inside = {
        id(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for v in node.values
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts = (v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
            yield node.lineno, "".join(parts)
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in inside
        ):
            yield node.lineno, node.value


def test_no_hard_coded_chinese_english_pairs_in_product_code():
    """One language per string: the Chinese is the msgid, the English lives in the catalogue.
    Migrations are left out: they record the fields as they were."""
    base = Path(settings.BASE_DIR)
    found = []
    for path in sorted([*base.rglob("*.py"), *base.rglob("*.html")]):
        if PRODUCT_SKIP & set(path.relative_to(base).parts[:-1]):
            continue
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".py":
            strings = _string_literals(text)
        else:
            strings = enumerate(text.splitlines(), start=1)
        for number, string in strings:
            if BILINGUAL_PAIR.search(string):
                found.append(f"{path.relative_to(base)}:{number}: {string.strip()[:120]}")
    assert not found, "Chinese / English literal pairs; use gettext instead:\n" + "\n".join(found)


def test_the_chinese_overrides_are_translated_and_win_over_the_libraries():
    text = OVERRIDES.read_text(encoding="utf-8")
    entries = [e for e in text.split("\n\n")[1:] if e.strip()]
    assert entries
    for entry in entries:
        assert "#, fuzzy" not in entry, entry
        assert not re.search(r'^msgstr(\[\d\])? ""$', entry, re.M), entry
        assert not re.search(r"[\u4e00-\u9fff]", entry.split("msgstr")[0]), entry  # English msgids
    with translation.override("zh-hans"):
        assert translation.gettext("- Select an option -") == "- 请选择 -"
        assert translation.gettext("Select all") == "全选"


def test_the_admin_date_widgets_time_zone_note_is_chinese(client, bureau):
    """A browser whose clock is in another zone sees the widgets' note in Chinese."""
    client.force_login(bureau)
    catalog = client.get(reverse("admin:jsi18n")).content.decode()
    assert json.dumps("注意：请按%(timezone)s时区填写时间")[1:-1] in catalog  # as the JS has it
