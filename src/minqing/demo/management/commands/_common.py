"""What the two demo commands share: the password from the environment and the account table."""

import os

# The demo's only environment inputs; they concern the command line, not the running application.
DEMO_ENV = "MINQING_DEMO_PASSWORD"


def demo_password() -> str | None:
    return os.environ.get(DEMO_ENV) or None


def demo_url() -> str:
    return f"http://127.0.0.1:{os.environ.get('PORT') or '8000'}/"
