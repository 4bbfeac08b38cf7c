"""Model fields for personal data. The database only ever sees ciphertext."""

from django.db import models

from . import crypto


class EncryptedTextField(models.TextField):
    """Stores AES-GCM ciphertext; Python code sees the plaintext.

    It cannot be filtered on: lookups go through the companion digest column (see core.identity).
    """

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return value
        return crypto.encrypt(value)

    def get_lookup(self, lookup_name):
        if lookup_name not in ("isnull", "exact"):
            return None
        return super().get_lookup(lookup_name)
