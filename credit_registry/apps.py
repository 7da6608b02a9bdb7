from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditRegistryConfig(AppConfig):
    name = "credit_registry"
    verbose_name = _("用户与角色")
