"""The admin site is the bureau's workplace. Who gets in, and what each admin page lists, is
decided by ``credit_registry.access`` — the same rules as everywhere else."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group, User

from credit_registry import access
from credit_registry.access import ROLE_LABELS, Role


def _staff_only(request) -> bool:
    return request.user.is_active and access.role_of(request.user) in access.STAFF_ROLES


admin.site.has_permission = _staff_only


class RegistryModelAdmin(admin.ModelAdmin):
    """Bureau admins may do everything the model allows; inspectors may look at what their scope
    covers (``scope``) and change only what ``inspector_may_change`` allows."""

    scope = None  # a function user -> queryset from credit_registry.access
    inspector_may_view = False
    inspector_may_add = False
    list_per_page = 50
    show_full_result_count = False  # no COUNT(*) over a whole table on every page

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.scope is not None:
            queryset = queryset.filter(pk__in=self.scope(request.user).values("pk"))
        return queryset

    def _role(self, request):
        return access.role_of(request.user)

    def has_module_permission(self, request):
        return self._role(request) == Role.BUREAU_ADMIN or (
            self._role(request) == Role.INSPECTOR and self.inspector_may_view
        )

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self._role(request) == Role.BUREAU_ADMIN or (
            self._role(request) == Role.INSPECTOR and self.inspector_may_add
        )

    def has_change_permission(self, request, obj=None):
        return self._role(request) == Role.BUREAU_ADMIN

    def has_delete_permission(self, request, obj=None):
        return self._role(request) == Role.BUREAU_ADMIN


class ReadOnlyAdmin(RegistryModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# The four role groups are fixed by migration and given to users on the user page.
admin.site.unregister(Group)
admin.site.unregister(User)


@admin.register(User)
class RegistryUserAdmin(UserAdmin):
    list_display = ("username", "get_full_name", "role", "is_active", "last_login")
    list_filter = ("groups", "is_active", "is_staff")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("groups")
            .select_related("school_account__school", "teacher")
        )

    @admin.display(description="角色")
    def role(self, user):
        names = {g.name for g in user.groups.all()}
        for role in (Role.BUREAU_ADMIN, Role.INSPECTOR, Role.PRINCIPAL, Role.TEACHER):
            if role in names:
                return ROLE_LABELS[role]
        return "超级用户" if user.is_superuser else "—"

    def has_module_permission(self, request):
        return access.is_bureau(request.user)

    has_view_permission = has_add_permission = has_change_permission = (
        lambda self, request, obj=None: access.is_bureau(request.user)
    )
    has_delete_permission = has_change_permission
