import pytest

from credit_registry.access import Role
from tests import factories


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
