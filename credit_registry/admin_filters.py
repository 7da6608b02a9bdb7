"""A list filter by school that a district of two hundred schools can use: a search box that
narrows a select of the schools the user may see (``access.lookup_scope``), in a template of
ours. The same picker serves pages that are not lists (the standings)."""

from django.contrib import admin
from django.contrib.admin.views.main import PAGE_VAR
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from credit_registry import access
from credit_registry.common.search import name_contains
from credit_registry.common.years import academic_year_label, academic_year_of
from evaluations.models import AssessmentYear
from schools.models import School

SEARCH_SUFFIX = "_q"
TERM_LENGTH = 50


def school_id_of(value) -> int | None:
    """The school id a filter parameter holds, or None for anything else."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 12:
        return int(value)
    return None


def school_choices(user, *, term: str = "", selected: int | None = None) -> list[tuple[str, str]]:
    """The schools ``user`` may pick, by code, narrowed by a part of the name or the whole code;
    the chosen school stays in the list."""
    schools = access.lookup_scope(user, School)
    if term:
        matches = name_contains("name", term) | Q(code=term)
        if selected is not None:
            matches |= Q(pk=selected)
        schools = schools.filter(matches)
    rows = schools.order_by("code").values_list("pk", "code", "name")
    return [(str(pk), f"{code} {name}") for pk, code, name in rows]


def school_picker(*, parameter: str, term: str, selected, options, hidden) -> dict:
    """What ``admin/credit_registry/_school_picker.html`` shows: the search box, the select and
    the other parameters of the page, kept as hidden fields."""
    return {
        "parameter": parameter,
        "search_parameter": parameter + SEARCH_SUFFIX,
        "term": term,
        "selected": selected or "",
        "options": options,
        "hidden": hidden,
    }


def kept_parameters(query: QueryDict, *, drop) -> list[tuple[str, str]]:
    return [(name, value) for name, values in query.lists() if name not in drop for value in values]


class SchoolFilter(admin.SimpleListFilter):
    """Rows of one school (``rows_of``; by default those whose ``school`` it is)."""

    title = _("学校")
    parameter_name = "school"
    template = "admin/credit_registry/school_filter.html"

    def __init__(self, request, params, model, model_admin):
        terms = params.pop(self.search_parameter, None)
        self.term = (terms[-1] if terms else "").strip()[:TERM_LENGTH]
        super().__init__(request, params, model, model_admin)

    @property
    def search_parameter(self) -> str:
        return self.parameter_name + SEARCH_SUFFIX

    def expected_parameters(self):
        return [self.parameter_name, self.search_parameter]

    def lookups(self, request, model_admin):
        return school_choices(request.user, term=self.term, selected=school_id_of(self.value()))

    def has_output(self):
        return True  # the search box stays, even when nothing matches

    def rows_of(self, school_id: int) -> Q:
        return Q(school_id=school_id)

    def queryset(self, request, queryset):
        school_id = school_id_of(self.value())
        if school_id is None:
            return queryset
        return queryset.filter(self.rows_of(school_id))

    def get_facet_counts(self, pk_attname, filtered_qs):
        return {}  # not two hundred counts on one page

    def choices(self, changelist):
        query = changelist.get_query_string(remove=[*self.expected_parameters(), PAGE_VAR])
        yield school_picker(
            parameter=self.parameter_name,
            term=self.term,
            selected=self.value(),
            options=self.lookup_choices,
            hidden=kept_parameters(QueryDict(query.lstrip("?")), drop=()),
        )


class AcademicYearFilter(admin.SimpleListFilter):
    """Academic years as people read them (2026—2027学年), from the (short) list of assessment
    years, not a DISTINCT over the list's rows. For a ``year`` column holding the year or an
    assessment year."""

    title = _("学年")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = set(AssessmentYear.objects.values_list("year", flat=True))
        years.add(academic_year_of(timezone.localdate()))
        return [(str(year), academic_year_label(year)) for year in sorted(years, reverse=True)]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(year=int(self.value()))
        return queryset
