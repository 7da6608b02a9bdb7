from django.contrib import admin

from credit_registry import access
from credit_registry.admin import RegistryModelAdmin
from credit_registry.admin_spreadsheets import SpreadsheetAdminMixin
from students.models import Classroom, Enrolment, Guardian, Student
from students.resources import StudentResource


class GuardianInline(admin.TabularInline):
    model = Guardian
    extra = 0


class EnrolmentInline(admin.TabularInline):
    model = Enrolment
    extra = 0
    autocomplete_fields = ("school",)
    raw_id_fields = ("classroom",)


@admin.register(Student)
class StudentAdmin(SpreadsheetAdminMixin, RegistryModelAdmin):
    resource_classes = [StudentResource]
    scope = staticmethod(access.students_visible_to)
    list_display = ("name", "student_number", "masked_id", "school", "classroom", "status")
    list_filter = ("status", "school__kind")
    list_select_related = ("school", "classroom")
    search_fields = ("name", "=student_number", "=id_number")
    autocomplete_fields = ("school",)
    raw_id_fields = ("classroom",)
    inlines = [GuardianInline, EnrolmentInline]

    @admin.display(description="身份证号")
    def masked_id(self, student):
        return student.masked_id_number


@admin.register(Classroom)
class ClassroomAdmin(RegistryModelAdmin):
    list_display = ("__str__", "school", "entry_year", "head_teacher")
    list_select_related = ("school", "head_teacher")
    search_fields = ("name", "grade", "school__name")
    autocomplete_fields = ("school",)
    raw_id_fields = ("head_teacher",)
