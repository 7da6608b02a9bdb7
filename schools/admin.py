from django.contrib import admin

from credit_registry import access
from credit_registry.admin import RegistryModelAdmin
from credit_registry.admin_spreadsheets import SpreadsheetAdminMixin
from schools.models import LeadingGroupMember, School, SchoolAccount
from schools.resources import SchoolResource


class LeadingGroupInline(admin.TabularInline):
    model = LeadingGroupMember
    extra = 0


class SchoolAccountInline(admin.TabularInline):
    model = SchoolAccount
    extra = 0
    raw_id_fields = ("user",)


@admin.register(School)
class SchoolAdmin(SpreadsheetAdminMixin, RegistryModelAdmin):
    resource_classes = [SchoolResource]
    scope = staticmethod(access.schools_visible_to)
    inspector_may_view = True
    list_display = ("code", "name", "kind", "ownership", "principal_name", "active")
    list_filter = ("kind", "ownership", "active")
    search_fields = ("code", "name", "principal_name")
    inlines = [LeadingGroupInline, SchoolAccountInline]


@admin.register(LeadingGroupMember)
class LeadingGroupMemberAdmin(RegistryModelAdmin):
    list_display = ("name", "role", "position", "school")
    list_filter = ("role",)
    list_select_related = ("school",)
    search_fields = ("name", "school__name")
    autocomplete_fields = ("school",)


@admin.register(SchoolAccount)
class SchoolAccountAdmin(RegistryModelAdmin):
    list_display = ("user", "school", "position")
    list_select_related = ("user", "school")
    search_fields = ("user__username", "school__name")
    autocomplete_fields = ("school",)
    raw_id_fields = ("user",)
