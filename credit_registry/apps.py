from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CreditRegistryConfig(AppConfig):
    name = "credit_registry"
    verbose_name = _("用户与角色")


class RegistryAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the registry's site (its door, workbench and navigation)."""

    default = False  # installed by its dotted path; credit_registry's own config stays the default

    default_site = "credit_registry.admin_site.RegistryAdminSite"
