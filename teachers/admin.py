from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from credit_registry import access
from credit_registry.admin_bases import (
    Confirmation,
    FileLink,
    FileLinksMixin,
    MaskedIdentifiersMixin,
    RegistryInline,
    RegistryModelAdmin,
    SchoolFirstSearchMixin,
    ask_then_run,
    person_column,
    run_each,
)
from credit_registry.admin_filters import SchoolFilter
from credit_registry.admin_spreadsheets import SpreadsheetAdminMixin
from evaluations.records import services as record_services
from teachers import services
from teachers.models import Degree, Posting, Teacher, VerificationStatus
from teachers.resources import TeacherResource

# Set only by the verification actions (``evaluation_services.verify_degree``): a degree found
# forged proposes a credential-fraud record, which an edited field would skip.
VERIFICATION_FIELDS = ("verification_status", "verification_note", "verified_by", "verified_at")


# --- degree verification (学历甄别核查): a step of its own, through the records services ---


class VerificationNoteForm(forms.Form):
    note = forms.CharField(
        label=_("核查情况"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )


def _verify_one(request, degree, status: str, note: str = "") -> None:
    _, record = record_services.verify_degree(
        degree=degree, by=request.user, status=status, note=note
    )
    if record is not None:
        messages.warning(
            request,
            gettext("%(teacher)s：已提出“学历造假”信用记录#%(pk)s，待审核公布")
            % {"teacher": degree.teacher, "pk": record.pk},
        )


@admin.action(description=_("学历核查：核查通过"))
def mark_degrees_verified(modeladmin, request, queryset):
    run_each(
        request, queryset, lambda degree: _verify_one(request, degree, VerificationStatus.VERIFIED)
    )


def _with_note(status: str, name: str, title: str):
    def action(modeladmin, request, queryset):
        return ask_then_run(
            modeladmin,
            request,
            queryset,
            form_class=VerificationNoteForm,
            run=lambda degree, data: _verify_one(request, degree, status, data["note"]),
            confirmation=Confirmation(
                title=title,
                consequence=gettext("核查结论记入所选学历，并记下核查人和时间。"),
                columns=(
                    (gettext("教师"), lambda degree: degree.teacher.name),
                    (gettext("学历"), str),
                ),
            ),
        )

    action.__name__ = name
    description = format_lazy(_("学历核查：{status}"), status=VerificationStatus(status).label)
    return admin.action(description=description)(action)


mark_degrees_doubtful = _with_note(
    VerificationStatus.DOUBTFUL, "mark_degrees_doubtful", _("学历核查：存疑（请写明核查情况）")
)
mark_degrees_forged = _with_note(
    VerificationStatus.FORGED,
    "mark_degrees_forged",
    _("学历核查：造假（将同时提出“学历造假”信用记录，待审核）"),
)


DEGREE_ACTIONS = [mark_degrees_verified, mark_degrees_doubtful, mark_degrees_forged]


class PostingInline(RegistryInline):
    model = Posting
    fields = ("school", "post", "start_date", "end_date")
    autocomplete_fields = ("school",)


class DegreeInline(MaskedIdentifiersMixin, RegistryInline):
    model = Degree
    fields = (
        "level",
        "institution",
        "major",
        "graduated_on",
        "certificate_number",
        "verification_status",
        "verification_note",
        "verified_by",
        "verified_at",
    )
    # The verification (学历甄别核查) is a step of its own: the Degree page's actions.
    readonly_fields = VERIFICATION_FIELDS


@admin.register(Teacher)
class TeacherAdmin(
    FileLinksMixin,
    MaskedIdentifiersMixin,
    SchoolFirstSearchMixin,
    SpreadsheetAdminMixin,
    RegistryModelAdmin,
):
    resource_classes = [TeacherResource]
    scope = staticmethod(access.teachers_visible_to)
    inspector_may_view = True
    list_display = ("name", "gender", "masked_id", "school", "subject", "title", "post")
    list_filter = (SchoolFilter, "title", "gender", "school__kind", "school__ownership")
    list_select_related = ("school",)
    search_fields = ("name", "=id_number", "school__name", "=qualification_number")
    normalized_fields = ("id_number",)
    autocomplete_fields = ("school",)
    raw_id_fields = ("user",)
    inlines = [PostingInline, DegreeInline]

    def file_links(self, request, person):
        # Both views look the teacher up in ``access.teachers_visible_to``, this list's scope.
        return [
            FileLink(_("师德诚信档案"), reverse("teachers:file", args=[person.pk])),
            FileLink(_("档案PDF"), reverse("reports:teacher_file", args=[person.pk]), post=True),
        ]

    def save_model(self, request, obj, form, change):
        """A change of school is a new posting (``services.post_teacher``), never a bare edit."""
        if not change or "school" not in form.changed_data:
            super().save_model(request, obj, form, change)
            return
        new_school = obj.school
        obj.school_id = form.initial.get("school")
        super().save_model(request, obj, form, change)
        services.post_teacher(teacher=obj, school=new_school)
        obj.refresh_from_db()


@admin.register(Degree)
class DegreeAdmin(MaskedIdentifiersMixin, RegistryModelAdmin):
    list_display = (
        "teacher",
        "level",
        "institution",
        "masked_certificate_number",
        "verification_status",
        person_column(Degree, "verified_by"),
        "verified_at",
    )
    list_filter = ("verification_status", "level")
    list_select_related = ("teacher", "verified_by")
    search_fields = ("teacher__name", "=certificate_number", "institution")
    raw_id_fields = ("teacher",)
    readonly_fields = VERIFICATION_FIELDS
    actions = DEGREE_ACTIONS


@admin.register(Posting)
class PostingAdmin(RegistryModelAdmin):
    list_display = ("teacher", "school", "post", "start_date", "end_date")
    list_filter = ("school__kind",)
    list_select_related = ("teacher", "school")
    search_fields = ("teacher__name", "school__name")
    raw_id_fields = ("teacher",)
    autocomplete_fields = ("school",)
    date_hierarchy = "start_date"
