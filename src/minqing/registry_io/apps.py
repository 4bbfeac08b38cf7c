from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryIoConfig(AppConfig):
    name = "minqing.registry_io"
    label = "registry_io"
    verbose_name = _("Ledger import and export")
