"""Signed JSON webhooks: how Minqing talks to SMS/WeChat gateways (and, later, to API subscribers).

The receiver checks `X-Minqing-Signature: sha256=<hex>`, the HMAC-SHA256 with the shared secret of
"<X-Minqing-Timestamp>.<raw body>", and refuses old timestamps (replays). `verify_signature` is that check.
"""

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

TIMEOUT_SECONDS = 10
MAX_AGE_SECONDS = 300


class WebhookError(Exception):
    """The receiver could not be reached or did not accept the request (message is safe to store)."""


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_signature(
    secret: str, timestamp: str, body: bytes, signature: str, *, max_age: int = MAX_AGE_SECONDS, now=None
) -> bool:
    """True if `signature` is ours for this body and the timestamp is recent (what a receiver should do)."""
    try:
        age = (time.time() if now is None else now) - int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs(age) > max_age:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature or "")


def post_signed_json(url: str, secret: str, payload: dict, *, timeout: float = TIMEOUT_SECONDS) -> int:
    """POST `payload` as JSON, signed; return the HTTP status. Raises WebhookError unless the answer is 2xx."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise WebhookError(f"Webhook URL must be http or https: {url[:40]!r}")
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Minqing-Webhook/1",
            "X-Minqing-Timestamp": timestamp,
            "X-Minqing-Signature": sign(secret, timestamp, body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status = response.status
    except urllib.error.HTTPError as error:
        detail = error.read(200).decode("utf-8", "replace").strip()
        raise WebhookError(f"HTTP {error.code} {detail}".strip()) from None
    except urllib.error.URLError as error:
        raise WebhookError(f"Gateway unreachable: {error.reason}") from None
    except (TimeoutError, OSError) as error:
        raise WebhookError(f"Gateway unreachable: {error}") from None
    if not 200 <= status < 300:
        raise WebhookError(f"HTTP {status}")
    return status
