"""Settings for the bench: the development settings, run as production would (DEBUG off), on the bench's own
database. `registry.py` puts the bench database URL in DATABASE_URL before Django reads it."""

import os

os.environ.setdefault("MINQING_ENV", "development")
# Templates and queries behave as in production: no debug cursor, no debug template context.
os.environ.setdefault("MINQING_DEBUG", "0")
# A fixed, public key that only ever protects generated people: the bench database stays readable whatever
# var/dev-keys.json holds.
os.environ.setdefault("MINQING_FIELD_KEY", "YmVuY2gtb25seS1maWVsZC1rZXktMzItYnl0ZXMhISE=")

from minqing.settings.dev import *  # noqa: F403
from minqing.settings.dev import ALLOWED_HOSTS

# django.test.Client talks to the site as "testserver".
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
