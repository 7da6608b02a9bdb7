"""The password hasher: Argon2id with parameters chosen for the registry's servers.

Django's own Argon2 defaults (100 MiB, 8 lanes, 2 passes) take about 0.2 s of two cores a hash
here; a login burst (8,000 teachers in an hour) would queue behind them, as it did behind
PBKDF2's 0.37 s. These follow argon2-cffi's recommended low-memory profile (RFC 9106: 64 MiB)
with one lane per core of a 2-core server and the passes that keep a hash near 0.1 s
(``bench/RESULTS.md``). Existing hashes (PBKDF2, or Argon2 with other parameters) are
rehashed with these at the user's next login, by Django itself.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class RegistryArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 65536  # KiB: 64 MiB, argon2-cffi's RFC 9106 low-memory profile
    parallelism = 2
