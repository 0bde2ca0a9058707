"""Settings for the test suite: the development defaults plus a fast password hasher."""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")

from medinfo.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AXES_ENABLED = False
