"""The admin site is the bureau's workplace. Who gets in, and what each admin page lists, is
decided by ``credit_registry.access`` — the same rules as everywhere else.

Only active bureau admins and inspectors enter (``is_staff`` alone is not enough). A bureau admin
may do whatever a page offers; an inspector sees what ``access`` scopes for them and adds only
where a page says so (credit records, notes on their clues). Django's per-model permissions are
not used: the four role groups carry none, the role decides.
"""

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from credit_registry import access
from credit_registry.access import Role


def registry_has_permission(request) -> bool:
    """Who may enter the admin site at all: active bureau admins and inspectors."""
    user = request.user
    return user.is_active and access.role_of(user) in access.STAFF_ROLES


class RegistryAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin login asks for a staff role, not for Django's ``is_staff`` flag, so the door
    and the login form agree on who may enter."""

    def confirm_login_allowed(self, user):
        AuthenticationForm.confirm_login_allowed(self, user)
        if access.role_of(user) not in access.STAFF_ROLES:
            raise ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


# ``admin.site`` stays the site of the root URLconf; only its door is ours.
admin.site.has_permission = registry_has_permission
admin.site.login_form = RegistryAdminAuthenticationForm


# --- a reason asked between choosing an action and running it ------------------------------------


# --- users ------------------------------------------------------------------------------------

# The four role groups are fixed by migration and given to users on the user page.
admin.site.unregister(Group)
admin.site.unregister(User)

ROLE_GROUPS = (Role.BUREAU_ADMIN, Role.INSPECTOR, Role.PRINCIPAL, Role.TEACHER)


class RoleFilter(admin.SimpleListFilter):
    title = _("角色")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return [(role.value, access.ROLE_LABELS[role]) for role in ROLE_GROUPS]

    def queryset(self, request, queryset):
        if self.value() in {role.value for role in ROLE_GROUPS}:
            return queryset.filter(groups__name=self.value())
        return queryset


@admin.register(User)
class RegistryUserAdmin(UserAdmin):
    """Django's user page with the registry role in the list; the bureau's only."""

    list_display = ("username", "get_full_name", "role", "email", "is_active", "last_login")
    list_filter = (RoleFilter, "is_active")
    list_per_page = 50

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("groups")
            .select_related("school_account__school", "teacher")
        )

    @admin.display(description=_("角色"))
    def role(self, user):
        names = {group.name for group in user.groups.all()}
        for role in ROLE_GROUPS:
            if role in names:
                return access.ROLE_LABELS[role]
        if user.is_superuser:
            return gettext("超级用户")
        return "—"

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # A bureau admin manages roles; making superusers or granting raw permissions is
            # left to whoever operates the installation.
            readonly += ["is_superuser", "user_permissions"]
        return readonly

    def has_module_permission(self, request):
        return access.is_bureau(request.user)

    def has_view_permission(self, request, obj=None):
        return access.is_bureau(request.user)

    def has_add_permission(self, request):
        return access.is_bureau(request.user)

    def has_change_permission(self, request, obj=None):
        return access.is_bureau(request.user)

    def has_delete_permission(self, request, obj=None):
        return access.is_bureau(request.user)


# Report batches and issued documents register themselves on the same base classes.
from credit_registry import admin_reports  # noqa: E402, F401  (registers the report pages)
