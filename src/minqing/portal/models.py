"""The resident portal's own data: one-time login codes, the phone or email behind a portal account, the
privacy notice each account accepted, and the counters of the abuse guard.

Nothing here holds a clear phone number or email address except `PortalAccount`, encrypted at rest like the
registry's (ADR 0003); codes are kept only as a keyed hash.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minqing.core.fields import EncryptedTextField


class ContactKind(models.TextChoices):
    PHONE = "phone", _("Mobile number")
    EMAIL = "email", _("Email")


class LoginCode(models.Model):
    """A six-digit code sent to a phone or email address. Valid for a few minutes, for a few tries, once."""

    kind = models.CharField(max_length=10, choices=ContactKind.choices)
    # Keyed hash of the normalised phone or lower-case email (core.crypto.digest), never the value itself.
    target_digest = models.CharField(max_length=64, db_index=True)
    # "salt$hmac": the code itself is never stored.
    code_hash = models.CharField(max_length=120)
    community = models.ForeignKey(
        "places.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("login code")
        verbose_name_plural = _("login codes")

    def __str__(self):
        return f"{self.kind} code #{self.pk}"


class PortalAccount(models.Model):
    """How a resident's account is reached: the phone or email they log in with, and their community."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portal_account"
    )
    phone = EncryptedTextField(_("mobile number"), blank=True, default="")
    phone_digest = models.CharField(max_length=64, blank=True, editable=False)
    email = EncryptedTextField(_("email"), blank=True, default="")
    email_digest = models.CharField(max_length=64, blank=True, editable=False)
    community = models.ForeignKey(
        "places.Area",
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("portal account")
        verbose_name_plural = _("portal accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["phone_digest"], condition=~models.Q(phone_digest=""), name="portal_phone_once"
            ),
            models.UniqueConstraint(
                fields=["email_digest"], condition=~models.Q(email_digest=""), name="portal_email_once"
            ),
        ]

    def __str__(self):
        return f"portal account of user {self.user_id}"


class Consent(models.Model):
    """The privacy notice (by version) an account accepted, and when (PIPL Art. 14, 17). No address kept."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents")
    notice_version = models.CharField(_("privacy notice version"), max_length=20)
    accepted_at = models.DateTimeField(_("accepted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-accepted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "notice_version"], name="consent_once_per_version"),
        ]

    def __str__(self):
        return f"{self.user_id} accepted {self.notice_version}"


class ThrottleHit(models.Model):
    """One counted request for the abuse guard (portal/throttle.py), in the database so that every app server
    sees the same counts. `key` is a keyed hash of the phone, address or account; rows live a day or two."""

    kind = models.CharField(max_length=20)
    key = models.CharField(max_length=64)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "key", "at"], name="portal_throttle_idx")]

    def __str__(self):
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"
