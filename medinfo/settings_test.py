"""Settings for the test suite: the development defaults plus a fast password hasher.

DJANGO_DEBUG is forced on rather than defaulted: a production value left in a shell
would otherwise turn on HTTPS redirects and the manifest static storage, and every
test would fail for a reason unrelated to it. tests/test_settings.py checks the
production settings in subprocesses of their own.
"""

import os

os.environ["DJANGO_DEBUG"] = "1"

from medinfo.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AXES_ENABLED = False

# Parallel developers (or CI jobs) on one server each take their own test database.
if os.environ.get("MEDINFO_TEST_DB"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["MEDINFO_TEST_DB"]}  # noqa: F405

# Every request reads the content version: a write is visible to the very next request.
PAGE_CACHE_VERSION_SECONDS = 0
