from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from credit_registry import access
from credit_registry.admin import RegistryInline, RegistryModelAdmin
from credit_registry.admin_spreadsheets import SpreadsheetAdminMixin
from schools.models import LeadingGroupMember, School, SchoolAccount
from schools.resources import SchoolResource


class LeadingGroupInline(RegistryInline):
    model = LeadingGroupMember
    fields = ("role", "name", "position")


class SchoolAccountInline(RegistryInline):
    model = SchoolAccount
    fields = ("user", "position")
    raw_id_fields = ("user",)


@admin.register(School)
class SchoolAdmin(SpreadsheetAdminMixin, RegistryModelAdmin):
    resource_classes = [SchoolResource]
    scope = staticmethod(access.schools_visible_to)
    inspector_may_view = True
    list_display = ("code", "name", "kind", "ownership", "principal_name", "phone", "active")
    list_display_links = ("code", "name")
    list_filter = ("kind", "ownership", "active")
    list_select_related = ()  # no relation is shown: nothing to join
    search_fields = ("=code", "name", "principal_name")
    inlines = [LeadingGroupInline, SchoolAccountInline]


class BureauOrSchoolFilter(admin.SimpleListFilter):
    title = _("所属")
    parameter_name = "level"

    def lookups(self, request, model_admin):
        return [("bureau", _("教育局领导小组")), ("school", _("学校领导小组"))]

    def queryset(self, request, queryset):
        if self.value() == "bureau":
            return queryset.filter(school__isnull=True)
        if self.value() == "school":
            return queryset.filter(school__isnull=False)
        return queryset


@admin.register(LeadingGroupMember)
class LeadingGroupMemberAdmin(RegistryModelAdmin):
    list_display = ("name", "role", "position", "school")
    list_filter = (BureauOrSchoolFilter, "role")
    list_select_related = ("school",)
    search_fields = ("name", "position", "school__name")
    autocomplete_fields = ("school",)


@admin.register(SchoolAccount)
class SchoolAccountAdmin(RegistryModelAdmin):
    list_display = ("user", "school", "position")
    list_select_related = ("user", "school")
    list_filter = ("school__kind",)
    search_fields = ("user__username", "school__name", "=school__code")
    autocomplete_fields = ("school",)
    raw_id_fields = ("user",)
