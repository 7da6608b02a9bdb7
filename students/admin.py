"""Students are minors: only the bureau opens these pages (``access.students_visible_to``), their
ID numbers are masked in every list, and guardians' details appear only on the student's page."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from credit_registry import access, rules
from credit_registry.admin_bases import (
    FileLink,
    FileLinksMixin,
    MaskedIdentifiersMixin,
    ReadOnlyAdmin,
    RegistryInline,
    RegistryModelAdmin,
    SchoolFirstSearchMixin,
    academic_year_column,
    person_column,
)
from credit_registry.admin_filters import AcademicYearFilter, SchoolFilter
from credit_registry.admin_spreadsheets import SpreadsheetAdminMixin
from credit_registry.common.errors import error_text
from students import services
from students.models import (
    Classroom,
    Enrolment,
    Guardian,
    ParentCode,
    Pledge,
    PledgeSlip,
    Student,
)
from students.resources import StudentResource


class GuardianInline(RegistryInline):
    model = Guardian
    fields = ("name", "relation", "phone")


class EnrolmentInline(RegistryInline):
    """The enrolment history is appended to, never rewritten."""

    model = Enrolment
    fields = ("event", "date", "school", "classroom", "note")
    autocomplete_fields = ("school",)
    raw_id_fields = ("classroom",)
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StudentAdminForm(forms.ModelForm):
    """Checks a change of school or class with the rule-book before anything is saved."""

    user = None  # set per request by StudentAdmin.get_form

    confirm_transfer = forms.BooleanField(
        label=_("确认转学"),
        required=False,
        help_text=_("只在更换学校时勾选：转学记入学籍变动，不能撤销。"),
    )

    class Meta:
        model = Student
        fields = (
            "name",
            "gender",
            "student_number",
            "id_number",
            "birth_date",
            "school",
            "classroom",
            "status",
            "guardian_consent",
        )

    def clean(self):
        data = super().clean()
        if not self.instance.pk or not {"school", "classroom"} & set(self.changed_data):
            return data
        try:
            rules.may_change_enrolment(self.user, self.instance).enforce()
        except (PermissionDenied, ValidationError) as error:
            raise ValidationError(error_text(error)) from None
        school, classroom = data.get("school"), data.get("classroom")
        moves_school = school is not None and school.pk != self.instance.school_id
        if moves_school and not data.get("confirm_transfer"):
            self.add_error(
                "confirm_transfer",
                _(
                    "转学后，原学校和原班主任不再能查看该生档案，原学校发出的家长查询码失效，"
                    "转学记入学籍变动，不能撤销。确认无误请勾选“确认转学”后再保存。"
                ),
            )
        if school is not None and school.pk != self.instance.school_id and not school.active:
            self.add_error("school", _("请选择本区在办的学校"))
        elif moves_school:
            grade = classroom.grade if classroom is not None else None
            verdict = rules.may_transfer_to(self.instance, school, grade=grade)
            if not verdict:
                self.add_error("school", verdict.message)
        if classroom is not None and school is not None and classroom.school_id != school.pk:
            self.add_error("classroom", _("请选择该校的班级"))
        return data


@admin.register(Student)
class StudentAdmin(
    FileLinksMixin,
    MaskedIdentifiersMixin,
    SchoolFirstSearchMixin,
    SpreadsheetAdminMixin,
    RegistryModelAdmin,
):
    resource_classes = [StudentResource]
    form = StudentAdminForm
    scope = staticmethod(access.students_visible_to)
    list_display = (
        "name",
        "gender",
        "student_number",
        "masked_id",
        "school",
        "classroom",
        "status",
        "file_frozen_at",
    )
    list_filter = (SchoolFilter, "status", "gender", "school__kind", "guardian_consent")
    list_select_related = ("school", "classroom")
    search_fields = ("name", "=student_number", "=id_number", "school__name")
    logged_list = "管理后台：学生名单"
    normalized_fields = ("student_number", "id_number")
    autocomplete_fields = ("school",)
    raw_id_fields = ("classroom",)
    inlines = [GuardianInline, EnrolmentInline]

    def file_links(self, request, person):
        # Both views look the student up in ``access.students_visible_to``, this list's scope.
        links = [FileLink(_("学生诚信档案"), reverse("students:file", args=[person.pk]))]
        if access.may_issue_student_file(request.user):
            url = reverse("reports:student_file", args=[person.pk])
            links.append(FileLink(_("档案PDF"), url, post=True))
        return links

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user
        return form

    def get_readonly_fields(self, request, obj=None):
        # Status changes are transfers and graduations: the school's portal and its services.
        return ("file_frozen_at",) if obj is None else ("status", "file_frozen_at")

    def save_model(self, request, obj, form, change):
        """A new school is a transfer inside the district and a new class a placement, through
        the same services as the school portal: enrolment history written, the old school and
        class teacher lose access, parents' codes of the old school revoked."""
        moved = change and {"school", "classroom"} & set(form.changed_data)
        if not moved:
            super().save_model(request, obj, form, change)
            return
        new_school, new_classroom = obj.school, obj.classroom
        obj.school_id = form.initial.get("school")
        obj.classroom_id = form.initial.get("classroom")
        super().save_model(request, obj, form, change)
        if new_school.pk != obj.school_id:
            services.transfer_student(
                by=request.user,
                student=obj,
                on=timezone.localdate(),
                to_school=new_school,
                grade=new_classroom.grade if new_classroom else None,
            )
        if new_classroom is not None:
            services.place_in_classroom(by=request.user, student=obj, classroom=new_classroom)
        obj.refresh_from_db()


@admin.register(Classroom)
class ClassroomAdmin(RegistryModelAdmin):
    list_display = ("__str__", "school", "entry_year", "head_teacher")
    list_filter = ("entry_year", "school__kind")
    list_select_related = ("school", "head_teacher")
    search_fields = ("name", "grade", "school__name", "head_teacher__name")
    autocomplete_fields = ("school",)
    raw_id_fields = ("head_teacher",)


@admin.register(Guardian)
class GuardianAdmin(RegistryModelAdmin):
    list_display = ("name", "relation", "student", "student_school")
    list_select_related = ("student__school",)
    search_fields = ("name", "student__name", "=student__student_number")
    logged_list = "管理后台：监护人名单"
    raw_id_fields = ("student",)

    @admin.display(description=Student._meta.get_field("school").verbose_name)
    def student_school(self, guardian):
        return guardian.student.school


@admin.register(Enrolment)
class EnrolmentAdmin(RegistryModelAdmin):
    list_display = ("student", "event", "date", "school", "classroom", "note")
    list_filter = ("event", "school__kind")
    list_select_related = ("student", "school", "classroom")
    search_fields = ("student__name", "=student__student_number", "school__name")
    raw_id_fields = ("student", "classroom")
    autocomplete_fields = ("school",)
    date_hierarchy = "date"

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


# --- pledges and parents' codes ----------------------------------------------------------------


@admin.register(Pledge)
class PledgeAdmin(ReadOnlyAdmin):
    """Schools issue pledges on their portal; the bureau follows how far they are acknowledged."""

    list_display = (
        "classroom",
        "school",
        "kind",
        "exam_name",
        academic_year_column(),
        "acknowledged",
        "issued_at",
    )
    list_filter = ("kind", AcademicYearFilter)
    list_select_related = ("classroom__school",)
    search_fields = ("classroom__school__name", "exam_name")

    def get_queryset(self, request):
        return super().get_queryset(request).with_counts()

    @admin.display(description=_("学校"), ordering="classroom__school__name")
    def school(self, pledge):
        return pledge.classroom.school

    @admin.display(description=_("已确认"))
    def acknowledged(self, pledge):
        return f"{pledge.acknowledged_count}/{pledge.slip_count}"


@admin.register(PledgeSlip)
class PledgeSlipAdmin(ReadOnlyAdmin):
    """Slips without their codes: a code is for the student's family only."""

    technical = True

    list_display = ("pledge", "student_masked", "acknowledged_at", "acknowledged_by")
    list_filter = ("acknowledged_by", "pledge__kind")
    list_select_related = ("pledge__classroom", "student")
    fields = ("pledge", "student_masked", "acknowledged_at", "acknowledged_by")
    readonly_fields = fields

    @admin.display(description=_("学生"))
    def student_masked(self, slip):
        return slip.student.masked_name


@admin.register(ParentCode)
class ParentCodeAdmin(ReadOnlyAdmin):
    """When codes were handed out and used; the codes themselves are kept only as hashes."""

    list_display = (
        "student_masked",
        person_column(ParentCode, "issued_by"),
        "issued_at",
        "expires_at",
        "revoked_at",
    )
    list_select_related = ("student", "issued_by")
    fields = (
        "student_masked",
        "issued_by",
        "issued_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    )
    readonly_fields = fields

    @admin.display(description=_("学生"))
    def student_masked(self, code):
        return code.student.masked_name
