"""Test settings: the same as every environment, with fixed keys and fast hashing."""

import os

os.environ.setdefault("MINQING_ENV", "test")
os.environ.setdefault("MINQING_SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
# A fixed 32-byte key, base64: tests must be repeatable.
os.environ.setdefault("MINQING_FIELD_KEY", "dGVzdC1maWVsZC1rZXktMzItYnl0ZXMtbG9uZy0hISE=")

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
