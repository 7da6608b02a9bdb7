from collections.abc import Iterator

import pytest
import time_machine
from django.conf import settings
from django.utils import translation

from credit_registry.access import Role
from tests import factories


@pytest.fixture(scope="session", autouse=True)
def _stopped_clock() -> Iterator[None]:
    """The whole session (the test database, module-wide data, the live server) lives at
    ``factories.NOW`` with the clock stopped: no test depends on the day it is run."""
    with time_machine.travel(factories.NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def clock(_stopped_clock) -> Iterator[time_machine.Traveller]:
    """Each test starts at ``factories.NOW``, the clock stopped. A test that needs another
    moment travels there itself, ``clock.move_to(when)`` or ``clock.shift(timedelta)``; the
    clock is put back after the test."""
    with time_machine.travel(factories.NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """A request in English (a client that switched languages) leaves English active in this
    thread; each test starts and ends in the default language."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def private_storage(settings, tmp_path):
    """Uploaded and generated files go to the test's own folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


@pytest.fixture
def bureau(db):
    return factories.make_user("bureau", role=Role.BUREAU_ADMIN)


@pytest.fixture
def inspector(db):
    return factories.make_user("inspector", role=Role.INSPECTOR)


@pytest.fixture
def school(db):
    return factories.make_school("蕉城第一中学")


@pytest.fixture
def other_school(db):
    return factories.make_school("蕉城第二中学")


@pytest.fixture
def principal(school):
    return factories.make_principal(school, "principal")


@pytest.fixture
def teacher(school):
    return factories.make_teacher(school, "王老师")


@pytest.fixture
def other_teacher(school):
    return factories.make_teacher(school, "赵老师")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Hashing strength is not what these tests are about; PBKDF2 would dominate their time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
