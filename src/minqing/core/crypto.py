"""Encryption at rest for personal data (PIPL): AES-256-GCM for the value, HMAC-SHA256 for exact lookup.

Both keys are derived from MINQING_FIELD_KEY with HKDF, so one secret serves both purposes and neither
derived key can be computed from the other.
"""

import base64
import hashlib
import hmac
import os
from functools import cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "v1:"


@cache
def _keys(field_key: str) -> tuple[bytes, bytes]:
    try:
        master = base64.b64decode(field_key, validate=True)
    except ValueError as exc:
        raise ImproperlyConfigured("MINQING_FIELD_KEY must be base64 of 32 random bytes.") from exc
    if len(master) != 32:
        raise ImproperlyConfigured("MINQING_FIELD_KEY must be base64 of 32 random bytes.")

    def derive(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)

    return derive(b"minqing-field-encryption"), derive(b"minqing-field-lookup")


def encrypt(plaintext: str) -> str:
    if plaintext == "":
        return ""
    enc_key, _ = _keys(settings.FIELD_KEY)
    nonce = os.urandom(12)
    sealed = AESGCM(enc_key).encrypt(nonce, plaintext.encode(), None)
    return PREFIX + base64.b64encode(nonce + sealed).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    if not token.startswith(PREFIX):
        raise ValueError("not an encrypted value")
    enc_key, _ = _keys(settings.FIELD_KEY)
    raw = base64.b64decode(token[len(PREFIX) :])
    return AESGCM(enc_key).decrypt(raw[:12], raw[12:], None).decode()


def digest(normalised: str) -> str:
    """Keyed hash for exact lookup. Callers pass an already normalised value (see core.identity)."""
    if not normalised:
        return ""
    _, lookup_key = _keys(settings.FIELD_KEY)
    return hmac.new(lookup_key, normalised.encode(), hashlib.sha256).hexdigest()
