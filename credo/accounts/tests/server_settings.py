"""Settings for the web servers that test_shared_limits.py starts: the installation's own, from the environment
the test gives them, with the test suite's quick password hasher (the test made the passwords with it) and
static files that need no build step."""

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
