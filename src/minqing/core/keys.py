"""Development keys: generated once and kept in a git-ignored file, so the demo survives restarts.

Production never comes here: it must get MINQING_SECRET_KEY and MINQING_FIELD_KEY from the environment.
"""

import base64
import json
import os
import secrets
from pathlib import Path


def development_keys(var_dir: Path) -> dict[str, str]:
    path = var_dir / "dev-keys.json"
    if path.exists():
        return json.loads(path.read_text())
    var_dir.mkdir(parents=True, exist_ok=True)
    keys = {
        "secret_key": secrets.token_urlsafe(50),
        "field_key": base64.b64encode(secrets.token_bytes(32)).decode(),
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(keys, fh)
    return keys
