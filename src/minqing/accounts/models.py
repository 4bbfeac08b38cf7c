from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .roles import STAFF_ROLES, Role, RoleInfo


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.RESIDENT)
    areas = models.ManyToManyField(
        "places.Area",
        verbose_name=_("areas"),
        blank=True,
        related_name="staff",
        help_text=_("A staff account sees these areas and everything below them."),
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handlers",
    )
    resident = models.OneToOneField(
        "people.Resident",
        verbose_name=_("resident record"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="account",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def display_name(self) -> str:
        return self.first_name or self.username

    @cached_property
    def role_info(self) -> RoleInfo:
        return RoleInfo(code=self.role, label=Role(self.role).label, is_staff_role=self.role in STAFF_ROLES)

    @cached_property
    def scope_paths(self) -> tuple[str, ...]:
        """Materialised paths of the areas this account may see (each with everything below it)."""
        if self.is_superuser:
            return ("/",)
        return tuple(sorted(self.areas.values_list("path", flat=True)))


class FailedLogin(models.Model):
    """Failed login attempts, kept in the database so every app server sees the same count."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("failed login")
        verbose_name_plural = _("failed logins")

    def __str__(self):
        return f"{self.username} {self.at:%Y-%m-%d %H:%M}"
