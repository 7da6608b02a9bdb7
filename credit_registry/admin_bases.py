"""The bases every admin page of the registry builds on: role-scoped querysets, read-only pages,
inlines, masked identifiers, school-first search, estimated counts on huge lists, and the two
ways an action runs a service (each object, or after a small form)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import unquote_plus

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import ActionLocation, helpers
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Q
from django.http import QueryDict
from django.template.response import TemplateResponse
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext_lazy as _

from credit_registry import access, freshness
from credit_registry.access import Role
from credit_registry.audit import log_access
from credit_registry.common.errors import error_text
from credit_registry.common.identity import mask_code, mask_phone, normalize_code
from credit_registry.common.log_redaction import redact
from credit_registry.common.search import name_contains
from credit_registry.common.search_terms import KEY_VAR, SEARCH_VAR, posted_search, recalled
from credit_registry.common.years import academic_year_label
from credit_registry.models import AccessAction
from schools.models import School


def who_text(user) -> str:
    """A person as the admin pages show them: the full name, else the user name."""
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


def person_column(model, field: str):
    """A list column showing the user in ``model.field`` by name (``who_text``); the list
    selects the user with its rows (``list_select_related``)."""

    @admin.display(description=model._meta.get_field(field).verbose_name, ordering=field)
    def column(obj):
        return who_text(getattr(obj, field))

    column.__name__ = f"{field}_name"
    return column


def academic_year_column(field: str = "year"):
    """A list column showing the academic year in ``field`` (a number) as people read it,
    2026—2027学年, sorted by the year."""

    @admin.display(description=_("学年"), ordering=field, empty_value="—")
    def column(obj):
        year = getattr(obj, field)
        return academic_year_label(year) if year is not None else None

    column.__name__ = f"{field}_label"
    return column


@dataclass(frozen=True)
class FileLink:
    """A link from a person's admin page to their credit file or its PDF. Issuing a PDF
    registers a document, so that one is a POST (``post``), never a link a prefetcher follows."""

    label: str
    url: str
    post: bool = False


def file_links_cell(links: list[FileLink]):
    """The links in a list row. The rows sit inside the list's own POST form (with its CSRF
    token): a PDF is a button that posts that form to the report's address (``formaction``),
    as a form may not hold another form."""
    return format_html_join(
        " ",
        "{}",
        (
            (
                format_html(
                    '<button type="submit" class="button" formaction="{}" formmethod="post" '
                    'formnovalidate style="padding:2px 6px">{}</button>',
                    link.url,
                    link.label,
                )
                if link.post
                else format_html('<a href="{}">{}</a>', link.url, link.label),
            )
            for link in links
        ),
    )


class FileLinksMixin:
    """A person's admin page (its object tools) and list rows link to their credit file and its
    PDF: ``file_links(request, person)``, each shown only where the file's own view lets the
    user in."""

    change_form_template = "admin/credit_registry/person_change_form.html"

    def file_links(self, request, person) -> list[FileLink]:
        raise NotImplementedError

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["file_links"] = self.file_links(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_list_display(self, request):
        @admin.display(description=_("诚信档案"))
        def credit_file(person):
            return file_links_cell(self.file_links(request, person))

        return (*super().get_list_display(request), credit_file)


class EstimatedCountPaginator(Paginator):
    """A whole large table is counted from PostgreSQL's statistics, not by COUNT(*).

    An unfiltered list of a table above ``EXACT_BELOW`` rows (a million credit records) shows
    ``pg_class.reltuples``, which ANALYZE and autovacuum keep within a few percent; a smaller
    table, any filtered or searched list, and other databases are counted exactly. One query
    either way, so a page runs the same queries whatever the size of the table.
    """

    EXACT_BELOW = 100_000

    @cached_property
    def count(self):
        queryset = self.object_list
        query = getattr(queryset, "query", None)
        connection = connections[getattr(queryset, "db", "default")]
        if query is None or query.where or query.distinct or connection.vendor != "postgresql":
            return super().count
        table = connection.ops.quote_name(queryset.model._meta.db_table)
        with connection.cursor() as cursor:
            # The exact count runs only when the estimate is small (an init plan is lazy).
            cursor.execute(
                "SELECT CASE WHEN reltuples >= %s THEN reltuples::bigint "
                f"ELSE (SELECT COUNT(*) FROM {table}) END FROM pg_class WHERE oid = %s::regclass",
                [self.EXACT_BELOW, table],
            )
            return int(cursor.fetchone()[0])


def recall_search(request) -> None:
    """A list shown as ``?s=<key>``: put the kept term back as ``?q=`` for the changelist."""
    if key := request.GET.get(KEY_VAR):
        query = request.GET.copy()
        del query[KEY_VAR]
        query[SEARCH_VAR] = recalled(request, key)
        request.GET = query
        request.search_key = key


class KeyedSearchChangeList(ChangeList):
    """Links of a list searched by a kept term (``?s=<key>``) carry the key, not the term."""

    def get_query_string(self, new_params=None, remove=None):
        return _term_to_key(self._request, super().get_query_string(new_params, remove)[1:], "?")

    def __init__(self, request, *args, **kwargs):
        self._request = request
        super().__init__(request, *args, **kwargs)


def _term_to_key(request, query: str, prefix: str = "") -> str:
    key = getattr(request, "search_key", None)
    if key is None:
        return prefix + query
    params = QueryDict(query, mutable=True)
    params.pop(SEARCH_VAR, None)
    params[KEY_VAR] = key
    return prefix + params.urlencode()


class ScopedRawIdWidget(admin.widgets.ForeignKeyRawIdWidget):
    """An id field whose label (the name beside the box) is looked up in the user's scope: an
    id outside it shows nothing, so typing ids never reads a name the user may not see."""

    def __init__(self, rel, admin_site, queryset, **kwargs):
        self.queryset = queryset
        super().__init__(rel, admin_site, **kwargs)

    def label_and_url_for_value(self, value):
        try:
            visible = value not in (None, "") and self.queryset.filter(pk=str(value)).exists()
        except (ValueError, ValidationError):
            visible = False
        if not visible:
            return "", ""
        return super().label_and_url_for_value(value)


class ScopedLookupsMixin:
    """Foreign keys to a person or a school offer, and an id field names, only what the user may
    see (``access.lookup_scope``): an id outside the scope is an invalid choice and shows no name.
    """

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope = access.lookup_scope(request.user, db_field.related_model)
        if scope is not None:
            kwargs["queryset"] = scope
            if db_field.name in self.raw_id_fields and "widget" not in kwargs:
                kwargs["widget"] = ScopedRawIdWidget(db_field.remote_field, self.admin_site, scope)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class RegistryModelAdmin(ScopedLookupsMixin, admin.ModelAdmin):
    """Bureau admins may do everything the page allows; inspectors may look at what their scope
    covers (``scope``, a function user -> queryset from ``credit_registry.access``) when the page
    sets ``inspector_may_view``, and add when it sets ``inspector_may_add``. Nobody else gets in."""

    scope = None
    inspector_may_view = False
    inspector_may_add = False
    # Tables the services write and other pages show (ledger links, notices, evidence files):
    # their own lists are for whoever operates the installation, not for the bureau's work.
    technical = False
    # Set on lists of minors (students, guardians): each page shown leaves an access-log line.
    logged_list = None
    # Lists are served from the cache until anything changes (credit_registry.freshness); not a
    # list whose figures move without a new row (a batch's progress) or that reading writes.
    cached_list = True
    list_per_page = 50
    show_full_result_count = False  # no COUNT(*) over a whole table on every filtered page
    paginator = EstimatedCountPaginator

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.scope is None or self._role(request) == Role.BUREAU_ADMIN:
            return queryset  # the bureau sees everything; no IN (SELECT …) over a large table
        return queryset.filter(pk__in=self.scope(request.user).values("pk"))

    @staticmethod
    def _role(request) -> Role:
        return access.role_of(request.user)

    # The search box posts (templates/admin/search_form.html): a term holding an identifier is
    # kept in the session and the list is shown as ?s=<key>, never with the number in its URL.
    def changelist_view(self, request, extra_context=None):
        if redirect_to := posted_search(request):
            return redirect_to
        recall_search(request)

        def page():
            return super(RegistryModelAdmin, self).changelist_view(request, extra_context)

        response = freshness.page(request, page) if self.cached_list else page()
        if self.logged_list and response.status_code == 200 and request.method == "GET":
            shown = redact(unquote_plus(_term_to_key(request, request.GET.urlencode())))
            log_access(
                request.user, AccessAction.VIEW_STUDENT_LIST, detail=f"{self.logged_list} {shown}"
            )
        return response

    def get_changelist(self, request, **kwargs):
        return KeyedSearchChangeList

    def get_preserved_filters(self, request):
        preserved = super().get_preserved_filters(request)
        if not preserved or getattr(request, "search_key", None) is None:
            return preserved
        filters = QueryDict(preserved).get("_changelist_filters", "")
        return urlencode({"_changelist_filters": _term_to_key(request, filters)})

    def has_module_permission(self, request):
        if self.technical:
            return request.user.is_active and request.user.is_superuser
        role = self._role(request)
        return role == Role.BUREAU_ADMIN or (role == Role.INSPECTOR and self.inspector_may_view)

    def get_changeform_initial_data(self, request):
        """An add form prefilled from its URL (``?teacher=12``) keeps only ids that are ids: a
        malformed one is dropped, not handed to a widget that would fail on it."""
        initial = super().get_changeform_initial_data(request)
        for name, value in list(initial.items()):
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if not field.is_relation:
                continue
            values = value if isinstance(value, list) else [value]
            try:
                for one in values:
                    field.target_field.to_python(one)
            except ValidationError:
                del initial[name]
        return initial

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        if self.technical:
            return self.has_module_permission(request)
        role = self._role(request)
        return role == Role.BUREAU_ADMIN or (role == Role.INSPECTOR and self.inspector_may_add)

    def has_change_permission(self, request, obj=None):
        if self.technical:
            return self.has_module_permission(request)
        return self._role(request) == Role.BUREAU_ADMIN

    def has_delete_permission(self, request, obj=None):
        if self.technical:
            return self.has_module_permission(request)
        return self._role(request) == Role.BUREAU_ADMIN

    # The object's 历史 page: besides the admin's own log, every stored version of the object
    # (django-simple-history) with who changed which field from what to what.
    object_history_template = "admin/registry_object_history.html"

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        versions = field_history(obj) if obj is not None else []
        return super().history_view(
            request, object_id, {**(extra_context or {}), "field_history": versions}
        )


HISTORY_ROWS = 100


def field_history(obj) -> list[dict]:
    """The newest versions of ``obj`` (at most ``HISTORY_ROWS``), each with who, when and the
    fields it changed (before, after). Empty for a model that keeps no history."""
    history = getattr(obj, "history", None)
    if history is None:
        return []
    rows = list(history.select_related("history_user").order_by("-history_id")[: HISTORY_ROWS + 1])
    versions = []
    names: dict = {}  # (model, pk) -> str, so that a changed school reads as its name

    def shown(field, value):
        if value is None or not field.is_relation:
            return value
        key = (field.related_model, value)
        if key not in names:
            found = field.related_model._default_manager.filter(pk=value).first()
            names[key] = str(found) if found is not None else f"#{value}"
        return names[key]

    for newer, older in zip(rows, [*rows[1:], None], strict=False):
        if len(versions) == HISTORY_ROWS:
            break
        changes = []
        if older is not None:
            for change in newer.diff_against(older).changes:
                field = obj._meta.get_field(change.field)
                changes.append(
                    (field.verbose_name, shown(field, change.old), shown(field, change.new))
                )
        versions.append(
            {
                "at": newer.history_date,
                "who": newer.history_user,
                "kind": newer.get_history_type_display(),
                "reason": newer.history_change_reason or "",
                "changes": changes,
            }
        )
    return versions


class ReadOnlyAdmin(RegistryModelAdmin):
    """A page that only lists and shows: rows are written by the services, never by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RegistryInline(ScopedLookupsMixin, admin.TabularInline):
    """Inline rows follow the page they sit on: whoever may view the parent sees them, only the
    bureau changes them (and nobody when ``read_only``)."""

    extra = 0
    read_only = False

    def has_view_permission(self, request, obj=None):
        return access.role_of(request.user) in access.STAFF_ROLES

    def has_add_permission(self, request, obj=None):
        return not self.read_only and access.is_bureau(request.user)

    def has_change_permission(self, request, obj=None):
        return not self.read_only and access.is_bureau(request.user)

    def has_delete_permission(self, request, obj=None):
        return not self.read_only and access.is_bureau(request.user)


class MaskedIdentifiersMixin:
    """Identifiers (身份证号, 学籍号, 联系电话, 证书编号) appear masked in lists and, for anyone but
    a bureau admin, on the object page too; only a bureau admin sees, searches and edits the full
    values, and each object page showing them leaves a line in the access log. Works on model
    pages and inlines alike: each masked field is swapped for its read-only masked twin."""

    # model field -> the admin display that shows it masked
    MASKED = {
        "id_number": "masked_id",
        "student_number": "masked_student_number",
        "phone": "masked_phone",
        "certificate_number": "masked_certificate_number",
    }

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and access.is_bureau(request.user):
            shown = [str(obj._meta.get_field(name).verbose_name) for name in self._masked_here()]
            log_access(request.user, AccessAction.VIEW_PERSONAL_DATA, obj, detail="、".join(shown))
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description=_("身份证号"))
    def masked_id(self, obj):
        return obj.masked_id_number or "—"

    @admin.display(description=_("学籍号"))
    def masked_student_number(self, obj):
        return mask_code(obj.student_number) or "—"

    @admin.display(description=_("联系电话"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone) if obj.phone else "—"

    @admin.display(description=_("证书编号"))
    def masked_certificate_number(self, obj):
        return mask_code(obj.certificate_number) or "—"

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if access.is_bureau(request.user):
            return fields
        return [self.MASKED.get(name, name) for name in fields]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not access.is_bureau(request.user):
            readonly += [
                self.MASKED[name]
                for name in self._masked_here()
                if self.MASKED[name] not in readonly
            ]
        return readonly

    def _masked_here(self) -> list[str]:
        own = {field.name for field in self.model._meta.get_fields()}
        return [name for name in self.MASKED if name in own]

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        if access.is_bureau(request.user):
            return fields
        return tuple(
            name for name in fields if name.lstrip("=^@").split("__")[-1] not in self.MASKED
        )


class SchoolFirstSearchMixin:
    """Searches of a list of people whose ``search_fields`` include ``school__name``: each word
    is looked up in the small schools table first, and the people then matched by their own
    columns or by those schools' ids — not by joining every teacher or student to their school
    and matching the school's name on each row, which on a district doubled a search's time.
    Words are split and quoted as in Django's own search; every word must match (AND), each in
    any field (OR).

    ``normalized_fields`` are identifiers stored normalized (``identity.normalize_code``: upper
    case, half-width, no spaces); a word is normalized the same way and looked up exactly in
    them, through their unique indexes, instead of comparing the upper case of every row."""

    normalized_fields: tuple[str, ...] = ()

    def get_search_results(self, request, queryset, search_term):
        fields = [name for name in self.get_search_fields(request) if name != "school__name"]
        # PostgreSQL refuses NUL bytes in a query; nobody types them.
        for word in smart_split(search_term.replace("\x00", "")):
            if word[:1] in "\"'" and word[-1:] == word[:1]:
                word = unescape_string_literal(word)
            if not word:
                continue
            schools = School.objects.filter(name_contains("name", word)).values_list(
                "pk", flat=True
            )
            matches = Q(school_id__in=list(schools))
            for name in fields:
                if name.lstrip("=") in self.normalized_fields:
                    matches |= Q(**{name.lstrip("="): normalize_code(word)})
                else:
                    matches |= _search_lookup(name, word)
            queryset = queryset.filter(matches)
        return queryset, False


def _search_lookup(name: str, word: str) -> Q:
    """Django's search-field prefixes: ``=`` exact, ``^`` starts with (case-insensitive), none
    contains (``search.name_contains``)."""
    if name.startswith("="):
        return Q(**{f"{name[1:]}__iexact": word})
    if name.startswith("^"):
        return Q(**{f"{name[1:]}__istartswith": word})
    return name_contains(name, word)


def _action_field_name(request) -> str:
    """An action chosen on an object's page posts ``CHANGE_FORM-action``, on a list ``action``."""
    prefixed = f"{ActionLocation.CHANGE_FORM.value}-action"
    return prefixed if prefixed in request.POST else "action"


@dataclass(frozen=True)
class Confirmation:
    """What a confirmation page says before an action runs on the selected rows.

    ``columns`` are (heading, function of a row) pairs listing each row with what a decision
    needs; ``consequence`` says what will happen to each; ``irreversible`` says what cannot be
    undone (shown as a warning); ``done`` turns the list of what the steps returned into the
    message shown afterwards ("已公布12条信用记录，已通知12位当事人")."""

    title: str
    consequence: str
    columns: Sequence[tuple[str, Callable]] = ()
    irreversible: str = ""
    done: Callable[[list], str] | None = None


def ask_then_run(
    model_admin,
    request,
    queryset,
    *,
    run,
    confirmation: Confirmation,
    form_class=forms.Form,
):
    """An action that first shows what it will do: each selected row with the facts a decision
    needs, the consequence, what cannot be undone, and ``form_class`` when it needs more than a
    click (a reason, an inspector). On confirmation ``run(obj, cleaned_data)`` is called for
    each row, through the services; a refused step is reported with ``messages.error`` and the
    others still run."""
    action_name = request.POST.get(_action_field_name(request), "")
    if "_confirm" in request.POST:
        form = form_class(request.POST)
        if form.is_valid():
            run_each(
                request,
                queryset,
                lambda obj: run(obj, form.cleaned_data),
                done=confirmation.done,
            )
            return None
    else:
        form = form_class()
    rows = list(queryset)
    hidden = {
        _action_field_name(request): action_name,
        helpers.ACTION_CHECKBOX_NAME: [str(obj.pk) for obj in rows],
        "_confirm": "1",
    }
    for name, value in hidden.items():
        widget = forms.MultipleHiddenInput if isinstance(value, list) else forms.HiddenInput
        form.fields[name] = forms.Field(widget=widget, initial=value, required=False)
    return TemplateResponse(
        request,
        "admin/credit_registry/confirm.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.opts,
            "title": confirmation.title,
            "confirmation": confirmation,
            "count": len(rows),
            "headings": [heading for heading, _cell in confirmation.columns],
            "rows": [[cell(obj) for _heading, cell in confirmation.columns] for obj in rows],
            "form": form,
            "back_url": request.get_full_path(),
        },
    )


def run_each(request, objects, step, *, done: Callable[[list], str] | None = None) -> int:
    """Run one service step per object; report each refusal by id, then what was done."""
    results = []
    for obj in objects:
        try:
            results.append(step(obj))
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, f"#{obj.pk}：{error_text(error)}")
    if results:
        message = done(results) if done else _("已完成%(count)d项") % {"count": len(results)}
        messages.success(request, message)
    return len(results)
