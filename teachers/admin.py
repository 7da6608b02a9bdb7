from django.contrib import admin

from credit_registry import access
from credit_registry.admin import RegistryModelAdmin
from credit_registry.admin_spreadsheets import SpreadsheetAdminMixin
from teachers.models import Degree, Posting, Teacher
from teachers.resources import TeacherResource


class PostingInline(admin.TabularInline):
    model = Posting
    extra = 0
    autocomplete_fields = ("school",)


class DegreeInline(admin.TabularInline):
    model = Degree
    extra = 0
    readonly_fields = ("verified_by", "verified_at")


@admin.register(Teacher)
class TeacherAdmin(SpreadsheetAdminMixin, RegistryModelAdmin):
    resource_classes = [TeacherResource]
    scope = staticmethod(access.teachers_visible_to)
    inspector_may_view = True
    list_display = ("name", "gender", "masked_id", "school", "subject", "title")
    list_filter = ("title", "gender", "school__kind")
    list_select_related = ("school",)
    search_fields = ("name", "=id_number", "school__name", "qualification_number")
    autocomplete_fields = ("school",)
    raw_id_fields = ("user",)
    inlines = [PostingInline, DegreeInline]

    @admin.display(description="身份证号")
    def masked_id(self, teacher):
        return teacher.masked_id_number


@admin.register(Degree)
class DegreeAdmin(RegistryModelAdmin):
    list_display = ("teacher", "level", "institution", "certificate_number", "verification_status")
    list_filter = ("verification_status", "level")
    list_select_related = ("teacher",)
    search_fields = ("teacher__name", "certificate_number", "institution")
    raw_id_fields = ("teacher",)
    readonly_fields = ("verified_by", "verified_at")


@admin.register(Posting)
class PostingAdmin(RegistryModelAdmin):
    list_display = ("teacher", "school", "post", "start_date", "end_date")
    list_select_related = ("teacher", "school")
    search_fields = ("teacher__name", "school__name")
    raw_id_fields = ("teacher",)
    autocomplete_fields = ("school",)
    date_hierarchy = "start_date"
