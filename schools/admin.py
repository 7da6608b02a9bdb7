from django.contrib import admin, messages
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from credit_registry import access
from credit_registry.admin_bases import (
    ReadOnlyAdmin,
    RegistryInline,
    RegistryModelAdmin,
    academic_year_column,
    person_column,
)
from credit_registry.admin_filters import (
    SEARCH_SUFFIX,
    AcademicYearFilter,
    kept_parameters,
    school_choices,
    school_id_of,
    school_picker,
)
from credit_registry.admin_spreadsheets import (
    EXPORT_FORMATS,
    SpreadsheetAdminMixin,
    spreadsheet_response,
)
from credit_registry.common.errors import error_text
from credit_registry.common.years import academic_year_label, academic_year_of
from evaluations.assessment import standing
from evaluations.assessment.resources import StandingResource
from evaluations.models import AssessmentYear
from evaluations.schoolwork import services
from schools import selectors
from schools.forms import InspectionForm
from schools.models import (
    ActivityPhoto,
    ChecklistEntry,
    ChecklistKind,
    IntegrityActivity,
    LeadingGroupMember,
    OperationChecklist,
    School,
    SchoolAccount,
)
from schools.resources import IntegrityActivityResource, SchoolResource


class LeadingGroupInline(RegistryInline):
    model = LeadingGroupMember
    fields = ("role", "name", "position")


class SchoolAccountInline(RegistryInline):
    model = SchoolAccount
    fields = ("user", "position")
    raw_id_fields = ("user",)


class NoSelfAssessmentFilter(admin.SimpleListFilter):
    """Schools in operation without their own checklist (学校自查) for a year: the workbench's
    figure, through the same selector."""

    title = _("未提交学校自查")
    parameter_name = "no_self_assessment"

    def lookups(self, request, model_admin):
        years = AssessmentYear.objects.order_by("-year").values_list("year", flat=True)
        return [(str(year), academic_year_label(year)) for year in years]

    def queryset(self, request, queryset):
        if not (self.value() or "").isdigit():
            return queryset
        missing = selectors.schools_without_self_assessment(int(self.value()))
        return queryset.filter(pk__in=missing.values("pk"))


@admin.register(School)
class SchoolAdmin(SpreadsheetAdminMixin, RegistryModelAdmin):
    resource_classes = [SchoolResource]
    scope = staticmethod(access.schools_visible_to)
    inspector_may_view = True
    list_display = ("code", "name", "kind", "ownership", "principal_name", "phone", "active")
    list_display_links = ("code", "name")
    list_filter = ("kind", "ownership", "active", NoSelfAssessmentFilter)
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


# --- schools' own integrity work ---------------------------------------------------------------


class ActivityPhotoInline(RegistryInline):
    model = ActivityPhoto
    fields = ("shown", "size", "uploaded_at")
    readonly_fields = fields
    read_only = True

    @admin.display(description=_("照片"))
    def shown(self, photo):
        url = reverse("schools:activity_photo", args=[photo.activity_id, photo.pk])
        return format_html('<a href="{}"><img src="{}" style="max-height:90px"></a>', url, url)


@admin.register(IntegrityActivity)
class IntegrityActivityAdmin(SpreadsheetAdminMixin, RegistryModelAdmin):
    """Schools log their activities on their portal; the bureau looks at them here, may
    exclude one from the score with a reason (the only thing it changes), and imports the
    activities schools reported outside the portal."""

    resource_classes = [IntegrityActivityResource]

    list_display = ("held_on", "school", "title", "kind", "participant_count", "counts_display")
    list_filter = (AcademicYearFilter, "kind", "school__kind")
    list_select_related = ("school",)
    search_fields = ("title", "school__name", "=school__code")
    date_hierarchy = "held_on"
    fields = (
        "school",
        "kind",
        "title",
        "held_on",
        "year",
        "participants",
        "participant_count",
        "description",
        "recorded_by",
        "recorded_at",
        "excluded_reason",
    )
    readonly_fields = fields[:-1]
    inlines = [ActivityPhotoInline]

    @admin.display(description=_("计分"), boolean=True)
    def counts_display(self, activity):
        return activity.counts

    def has_add_permission(self, request):
        return False  # logged by the school on its portal, with its photos

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.exclude_activity(
            activity=obj, by=request.user, reason=form.cleaned_data["excluded_reason"]
        )


@admin.register(ActivityPhoto)
class ActivityPhotoAdmin(ReadOnlyAdmin):
    technical = True
    list_display = ("activity", "content_type", "size", "uploaded_at")
    list_select_related = ("activity",)
    search_fields = ("activity__title",)


class ChecklistEntryInline(RegistryInline):
    model = ChecklistEntry
    fields = ("area", "passed", "finding", "record")
    readonly_fields = fields
    read_only = True


@admin.register(OperationChecklist)
class OperationChecklistAdmin(ReadOnlyAdmin):
    """Checklists are filed whole and never edited: schools file their self-assessment on the
    portal, the bureau its inspection through “录入局机关检查” here."""

    list_display = (
        "school",
        academic_year_column(),
        "kind",
        "failed_areas",
        person_column(OperationChecklist, "filed_by"),
        "filed_at",
    )
    list_filter = (AcademicYearFilter, "kind")
    list_select_related = ("school", "filed_by")
    search_fields = ("school__name", "=school__code")
    fields = ("school", "year", "kind", "note", "filed_by", "filed_at")
    readonly_fields = fields
    inlines = [ChecklistEntryInline]
    change_list_template = "admin/schools/checklist_change_list.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(failed_count=Count("entries", filter=Q(entries__passed=False)))
        )

    @admin.display(description=_("不符合项"), ordering="failed_count")
    def failed_areas(self, checklist):
        return checklist.failed_count

    def get_urls(self):
        return [
            path(
                "inspect/",
                self.admin_site.admin_view(self.inspect_view),
                name="schools_operationchecklist_inspect",
            ),
            path(
                "standings/",
                self.admin_site.admin_view(self.standings_view),
                name="schools_operationchecklist_standings",
            ),
            path(
                "standings/export/",
                self.admin_site.admin_view(self.standings_export_view),
                name="schools_operationchecklist_standings_export",
            ),
            *super().get_urls(),
        ]

    def inspect_view(self, request):
        if not access.is_bureau(request.user):
            raise PermissionDenied
        form = InspectionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                checklist = services.file_checklist(
                    by=request.user,
                    school=form.cleaned_data["school"],
                    year=academic_year_of(timezone.localdate()),
                    kind=ChecklistKind.INSPECTION,
                    results=form.results(),
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                form.add_error(None, error_text(error))
            else:
                messages.success(request, f"已录入：{checklist}")
                return redirect("admin:schools_operationchecklist_change", checklist.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("录入局机关检查"),
            "form": form,
        }
        return TemplateResponse(request, "admin/schools/inspect.html", context)

    def _standings(self, request):
        """The year, the school picker and the standings the page and its export show: every
        school the user may see, or the one picked."""
        if not access.is_bureau(request.user):
            raise PermissionDenied
        current = academic_year_of(timezone.localdate())
        try:
            year = int(request.GET.get("year", current))
        except ValueError:
            year = current
        term = request.GET.get("school" + SEARCH_SUFFIX, "").strip()[:50]
        school_id = school_id_of(request.GET.get("school"))
        schools = access.lookup_scope(request.user, School).active().order_by("kind", "code")
        if school_id is not None:
            schools = schools.filter(pk=school_id)
        picker = school_picker(
            parameter="school",
            term=term,
            selected=request.GET.get("school"),
            options=school_choices(request.user, term=term, selected=school_id),
            hidden=[("year", str(year))],
        )
        return year, picker, standing.standings(schools, year)

    def standings_view(self, request):
        """目标考核 and 年检 of every school for a year: the integrity figure and its reasons."""
        year, picker, standings = self._standings(request)
        kept = [("year", str(year)), *kept_parameters(request.GET, drop=("year", "format"))]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("目标考核与年检中的诚信建设"),
            "year": year,
            "years": AssessmentYear.objects.order_by("-year").values_list("year", flat=True),
            "picker": picker,
            "standings": standings,
            "exports": [
                (name.upper(), urlencode([*kept, ("format", name)])) for name in EXPORT_FORMATS
            ],
        }
        return TemplateResponse(request, "admin/schools/standings.html", context)

    def standings_export_view(self, request):
        """The standings page as a spreadsheet (xlsx, or CSV with ``?format=csv``)."""
        year, _picker, standings = self._standings(request)
        file_format = EXPORT_FORMATS.get(request.GET.get("format", "xlsx"))
        if file_format is None:
            raise BadRequest("format")
        dataset = StandingResource().export(standings)
        return spreadsheet_response(
            dataset, title=f"{StandingResource.Meta.name}{year}", file_format=file_format()
        )


@admin.register(ChecklistEntry)
class ChecklistEntryAdmin(ReadOnlyAdmin):
    technical = True
    list_display = ("checklist", "area", "passed", "record")
    list_filter = ("area", "passed")
    list_select_related = ("checklist__school", "record")
    search_fields = ("checklist__school__name",)
