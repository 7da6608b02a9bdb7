"""Passwords are hashed with Argon2id at the registry's parameters; an older hash is replaced at
the user's next login, and the login still works."""

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher, identify_hasher
from django.urls import reverse

from credit_registry.hashers import RegistryArgon2PasswordHasher

REAL_HASHERS = [
    "credit_registry.hashers.RegistryArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]


def test_a_new_password_is_an_argon2id_hash_at_our_parameters(settings, db):
    settings.PASSWORD_HASHERS = REAL_HASHERS
    user = get_user_model().objects.create_user("wang", password="pw-Test-12345")
    assert user.password.startswith("argon2$argon2id$v=19$m=65536,t=2,p=2$")
    assert isinstance(identify_hasher(user.password), RegistryArgon2PasswordHasher)


def test_an_old_pbkdf2_hash_becomes_argon2_at_the_next_login(settings, client, db):
    settings.PASSWORD_HASHERS = REAL_HASHERS
    user = get_user_model().objects.create_user("li")
    user.password = PBKDF2PasswordHasher().encode("pw-Test-12345", "salt1234salt")
    user.save(update_fields=["password"])
    response = client.post(reverse("login"), {"username": "li", "password": "pw-Test-12345"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=65536,t=2,p=2$")
