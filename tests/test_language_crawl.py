"""Every page each role reaches, in both languages: no English sentence under zh-hans, no Chinese
interface text under en.

The pages come from the access matrix (its URL walk, its world, its signed-in sessions): every
URL whose GET the matrix expects to answer 200 for the role. What the test world stored in the
database is data, shown as it was typed (names of people, schools, catalog items, narratives):
any text found in a text column of any model is allowed in both languages. Failures name the
URL and the offending strings."""

import copy
import re
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.test import Client

from tests.test_access_matrix import (  # noqa: F401 (world and sessions are fixtures)
    CRAWL_ROLES,
    PATTERNS,
    _expected,
    _path,
    expectation,
    sessions,
    world,
)

# Latin words a Chinese page may show: the language switch, file types, units, technical names,
# keys of the keyboard (Django's "按住 Control 键或 Mac 上的 Command 键来选择多项").
LATIN_ALLOWED = {
    "Control",
    "Command",
    "Mac",
    "English",
    "PDF",
    "CSV",
    "xlsx",
    "xls",
    "zip",
    "SHA",
    "MB",
    "KB",
    "WPS",
    "Excel",
    "ID",
    "UTF",
    "GBK",
    "QR",
    "csv",
    "json",
    "db_worker",
    "manage",
    "py",
    "Django",
    "admin",
    "http",
    "https",
    "www",
}
CHINESE_ALLOWED = {"简体中文"}  # the language switch names each language in itself
URL = re.compile(r"https?://\S+")
WORD = re.compile(r"[A-Za-z][A-Za-z'’]*[a-z][A-Za-z'’]*")
CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")  # ideographs only: punctuation joins data to labels


class _VisibleText(HTMLParser):
    """Text a person sees: text nodes outside script and style, placeholders, button values."""

    def __init__(self):
        super().__init__()
        self.chunks, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        attrs = dict(attrs)
        if attrs.get("placeholder"):
            self.chunks.append(attrs["placeholder"])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.chunks.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.chunks.append(data.strip())


def visible_text(html: str) -> list[str]:
    parser = _VisibleText()
    parser.feed(html)
    return parser.chunks


class Data:
    """Every value of every text column: the test world's data; and the installation's own
    names (district and site title come from its settings)."""

    def __init__(self):
        values = [settings.REGISTRY_DISTRICT_NAME + settings.REGISTRY_SITE_TITLE]
        for model in apps.get_models():
            fields = [
                f.attname
                for f in model._meta.concrete_fields
                if isinstance(f, (models.CharField, models.TextField))
            ]
            if fields:
                for row in model._default_manager.values_list(*fields):
                    values.extend(str(v) for v in row if v)
        self.blob = "\n".join(values)
        self.runs = set(CJK_RUN.findall(self.blob))
        self.longest = max(map(len, self.runs), default=0)

    def has_word(self, word: str) -> bool:
        return word in self.blob

    def has_run(self, run: str) -> bool:
        """A run of ideographs found in the data, or made entirely of runs the data holds whole:
        a page joins columns (a class is its grade and its name, 七年级 + 甲1班), so the joined
        text is data too. Pieces must be whole runs of the data, not any substring of it."""
        if run in self.blob:
            return True
        joins = [True] + [False] * len(run)  # joins[i]: run[:i] is made of data runs
        for end in range(1, len(run) + 1):
            joins[end] = any(
                joins[start] and run[start:end] in self.runs
                for start in range(max(0, end - self.longest), end)
            )
        return joins[-1]


def english_in(chunks: list[str], data: Data) -> list[str]:
    found = []
    for chunk in chunks:
        if chunk.startswith("{"):
            continue  # a ledger entry's canonical JSON, shown as stored
        text = URL.sub(" ", chunk)
        words = [w for w in WORD.findall(text) if w not in LATIN_ALLOWED and not data.has_word(w)]
        if words:
            found.append(chunk[:120])
    return found


def chinese_in(chunks: list[str], data: Data) -> list[str]:
    found = []
    for chunk in chunks:
        runs = [
            r for r in CJK_RUN.findall(chunk) if r not in CHINESE_ALLOWED and not data.has_run(r)
        ]
        if runs:
            found.append(chunk[:120])
    return found


def pages_of(world, role):  # noqa: F811 (the fixture imported above)
    for pattern in PATTERNS:
        url = expectation(pattern)
        if url is None or url.get is None:
            continue
        case = url.cases[0]
        if _expected(url, url.get, role, case, True) != 200:
            continue
        path = _path(pattern, url.kwargs(world, role, case) if url.kwargs else {})
        if url.query:
            path += "?" + urlencode(url.query(world, role, case))
        yield path


@pytest.mark.parametrize("role", CRAWL_ROLES)
def test_every_page_speaks_one_language(world, sessions, db, role):  # noqa: F811
    data = Data()
    problems = []
    for language, check in (("zh-hans", english_in), ("en", chinese_in)):
        client = Client()
        client.cookies = copy.deepcopy(sessions[role])
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        for path in pages_of(world, role):
            response = client.get(path)
            if response.streaming:
                b"".join(response.streaming_content)  # read to the end: that closes the file
                continue
            if "html" not in response.get("Content-Type", ""):
                continue
            chunks = visible_text(response.content.decode())
            found = check(chunks, data)
            if found:
                # The crawl's own page views write rows (the access log): read the data again
                # before calling what the page shows interface text.
                data = Data()
                found = check(chunks, data)
            if found:
                problems.append(f"{language} {path}: " + " | ".join(dict.fromkeys(found)))
    assert not problems, f"{len(problems)} pages as {role}:\n" + "\n".join(problems)
