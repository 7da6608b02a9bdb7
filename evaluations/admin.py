"""The bureau's ledger pages. Every state change goes through ``evaluations.services``: the admin
site offers the steps (as actions on the list and on the record's own page, or as a small form),
the services decide whether they are allowed, and a refusal is shown as an error message.

A published record is read-only here and can never be deleted; what happens to it afterwards
(objection, amendment, revocation, repair) is shown as its chain (记录链) on its page.

Individual evaluation answers (``Response``, ``Answer``) have no page on purpose: nobody browses
who answered what; results are read as group averages through the selectors.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import ActionLocation
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import CharField, Q, Value
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from credit_registry import access, rules
from credit_registry.admin import (
    ReadOnlyAdmin,
    RegistryInline,
    RegistryModelAdmin,
    ask_then_run,
    error_text,
    run_each,
)
from credit_registry.admin_spreadsheets import SpreadsheetAdminMixin
from credit_registry.identity import normalize_code
from credit_registry.search import name_contains
from evaluations import evaluation_services, selectors, services
from evaluations.admin_rounds import (
    ROUND_ACTIONS,
    EvaluationRoundForm,
    code_sheet_link,
    round_progress,
)
from evaluations.models import (
    WEIGHT_FIELDS,
    AccessCode,
    AssessmentPolicy,
    AssessmentResult,
    AssessmentYear,
    CatalogItem,
    ClueNote,
    ClueStatus,
    ComplaintClue,
    ConsequenceRule,
    CreditRecord,
    EvaluationRound,
    Evidence,
    LedgerEntry,
    LedgerHead,
    Notice,
    Objection,
    ObjectionStatus,
    QuestionItem,
    Questionnaire,
    RaterAssignment,
    RepairApplication,
    RepairStatus,
    RoundStatus,
    SubjectKind,
    academic_year_label,
    academic_year_of,
)
from evaluations.resources import CreditRecordResource
from schools.models import School
from students.models import Student
from teachers.models import Teacher

BOTH_PLACES = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]

# A record's content may be corrected until the bureau approves it; approved and published
# records change only through the services (return, objection, amendment).


# --- small shared pieces -----------------------------------------------------------------------


def _when(value) -> str:
    return date_format(timezone.localtime(value), "Y-m-d H:i") if value else "—"


def _who(user) -> str:
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


def _html_table(headers, rows):
    """A small read-only table for an object page; every cell is escaped."""
    head = format_html_join("", "<th>{}</th>", ((header,) for header in headers))
    body = format_html_join(
        "",
        "<tr>{}</tr>",
        ((format_html_join("", "<td>{}</td>", ((cell,) for cell in row)),) for row in rows),
    )
    return format_html("<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>", head, body)


def _record_link(record) -> str:
    url = reverse("admin:evaluations_creditrecord_change", args=[record.pk])
    return format_html('<a href="{}">{}</a>', url, record)


def _subject_label(obj) -> str:
    """A record's or result's subject for a list: a student by masked name only."""
    if obj.student_id:
        return f"{SubjectKind.STUDENT.label} {obj.student.masked_name}"
    if obj.teacher_id:
        return f"{SubjectKind.TEACHER.label} {obj.teacher.name}"
    return f"{SubjectKind.SCHOOL.label} {obj.school.name}"


def _decision_page(request, model_admin, obj, form, title):
    return TemplateResponse(
        request,
        "admin/credit_registry/decision.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.opts,
            "title": title,
            "object": obj,
            "form": form,
        },
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}))


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("退回理由"), max_length=200)


class AcademicYearFilter(admin.SimpleListFilter):
    """Academic years from the (short) list of assessment years, not a DISTINCT over records."""

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


# --- catalog -----------------------------------------------------------------------------------


@admin.register(CatalogItem)
class CatalogItemAdmin(RegistryModelAdmin):
    inspector_may_view = True
    list_display = (
        "code",
        "name",
        "subject_kind",
        "polarity",
        "default_points",
        "severity",
        "vetoes",
        "disclosure_days",
        "repair_min_days",
        "active",
    )
    list_display_links = ("code", "name")
    list_filter = ("subject_kind", "polarity", "severity", "vetoes", "active")
    search_fields = ("code", "name")

    def has_delete_permission(self, request, obj=None):
        return False  # items with records are protected; retire an item with "active" instead


# --- credit records ----------------------------------------------------------------------------


class EvidenceInline(RegistryInline):
    model = Evidence
    read_only = True
    can_delete = False
    fields = ("file_link", "content_type", "size", "short_sha256", "uploaded_by", "uploaded_at")
    readonly_fields = fields

    @admin.display(description=_("原文件名"))
    def file_link(self, evidence):
        url = reverse("record_evidence", args=[evidence.record_id, evidence.pk])
        return format_html('<a href="{}">{}</a>', url, evidence.original_name)

    @admin.display(description=_("SHA-256"))
    def short_sha256(self, evidence):
        return evidence.sha256[:16]


class CreditRecordForm(forms.ModelForm):
    """Checks a new or corrected record with the same rules as ``services.propose_record``."""

    user = None  # set per request by CreditRecordAdmin.get_form

    class Meta:
        model = CreditRecord
        fields = (
            "school",
            "teacher",
            "student",
            "item",
            "points",
            "points_reason",
            "occurred_on",
            "source",
            "narrative",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "points" in self.fields:
            self.fields["points"].required = False
            self.fields["points"].help_text = _("留空则取信用事项的默认分值")

    def clean(self):
        data = super().clean()
        if self.instance.pk:  # a correction keeps its subject
            subjects = [self.instance.subject]
        else:
            subjects = [data[name] for name in ("school", "teacher", "student") if data.get(name)]
        if len(subjects) != 1:
            raise ValidationError(
                _("请在学校、教师、学生中选择且只选择一个对象 / Choose exactly one subject.")
            )
        if data.get("item") and data.get("occurred_on"):
            try:
                data["points"] = services.check_proposal(
                    by=self.user,
                    subject=subjects[0],
                    item=data["item"],
                    occurred_on=data["occurred_on"],
                    narrative=data.get("narrative") or "",
                    points=data.get("points"),
                    points_reason=data.get("points_reason") or "",
                )
            except PermissionDenied as error:
                raise ValidationError(error_text(error)) from None
            self.instance.year = academic_year_of(data["occurred_on"])
        return data


@admin.register(CreditRecord)
class CreditRecordAdmin(SpreadsheetAdminMixin, RegistryModelAdmin):
    resource_classes = [CreditRecordResource]
    form = CreditRecordForm
    scope = staticmethod(access.records_visible_to)
    inspector_may_view = True
    inspector_may_add = True
    list_display = (
        "id",
        "subject_display",
        "item",
        "points",
        "occurred_on",
        "year_label",
        "status",
        "source",
        "recorded_by",
    )
    list_display_links = ("id", "subject_display")
    list_filter = (
        "status",
        AcademicYearFilter,
        "item__subject_kind",
        "item__polarity",
        "item__severity",
        "source",
    )
    list_select_related = ("item", "school", "teacher", "student", "recorded_by")
    search_fields = (
        "=id",
        "item__name",
        "teacher__name",
        "=teacher__id_number",
        "school__name",
        "student__name",
        "=student__student_number",
    )
    # Newest first along the primary key: no sort over a million rows on every page.
    ordering = ("-id",)
    autocomplete_fields = ("school", "item")
    raw_id_fields = ("teacher", "student")
    actions = ["submit", "approve", "publish", "return_selected"]
    inlines = [EvidenceInline]

    subject_fields = ("school", "teacher", "student")
    content_fields = ("item", "points", "points_reason", "occurred_on", "source", "narrative")
    workflow_fields = (
        "status",
        "year",
        "returned_reason",
        "amends",
        "recorded_by",
        "recorded_at",
        "edited_by",
        "edited_at",
        "submitted_by",
        "submitted_at",
        "returned_by",
        "returned_at",
        "approved_by",
        "approved_at",
        "published_by",
        "published_at",
        "severity",
        "vetoes",
        "disclosed_until",
        "repairable_from",
    )

    # -- who may do what

    @staticmethod
    def _editable(request, obj) -> bool:
        if obj is None:
            return access.is_bureau(request.user)
        return access.is_bureau(request.user) and bool(rules.may_edit(request.user, obj))

    def has_change_permission(self, request, obj=None):
        return self._editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return access.is_bureau(request.user)
        return access.is_bureau(request.user) and bool(rules.may_withdraw(request.user, obj))

    def has_decide_permission(self, request):
        return access.is_bureau(request.user)

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)  # drafts are deleted one by one, through the service
        return actions

    # -- the search box

    def get_search_results(self, request, queryset, search_term):
        """The fields of ``search_fields``, looked up the other way round: each word is first
        found in the small tables (items, schools, teachers, students: one UNION query), then
        the records by those ids through their indexes — not four joins scanned over a million
        records for every page and its count."""
        for word in smart_split(search_term):
            if word[:1] in "\"'" and word[-1:] == word[:1]:
                word = unescape_string_literal(word)
            if word:
                queryset = queryset.filter(self._records_matching(word))
        return queryset, False

    @staticmethod
    def _records_matching(word: str) -> Q:
        # Identifiers are stored normalized: compared exactly, through their unique indexes.
        code = normalize_code(word)
        found = (
            CatalogItem.objects.filter(name_contains("name", word))
            .annotate(found_in=Value("item", output_field=CharField()))
            .values_list("id", "found_in")
            .order_by()
            .union(
                School.objects.filter(name_contains("name", word))
                .annotate(found_in=Value("school", output_field=CharField()))
                .values_list("id", "found_in")
                .order_by(),
                Teacher.objects.filter(name_contains("name", word) | Q(id_number=code))
                .annotate(found_in=Value("teacher", output_field=CharField()))
                .values_list("id", "found_in")
                .order_by(),
                Student.objects.filter(name_contains("name", word) | Q(student_number=code))
                .annotate(found_in=Value("student", output_field=CharField()))
                .values_list("id", "found_in")
                .order_by(),
                all=True,
            )
            .order_by()
        )
        ids: dict[str, list[int]] = {"item": [], "school": [], "teacher": [], "student": []}
        for pk, name in found:
            ids[name].append(pk)
        matches = Q(pk=int(word)) if word.isdigit() else Q(pk__in=[])
        for name, pks in ids.items():
            matches |= Q(**{f"{name}_id__in": pks})
        return matches

    # -- the form

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (
                _("对象"),
                {"fields": self.subject_fields, "description": _("学校、教师、学生三者选其一")},
            ),
            (_("记录内容"), {"fields": self.content_fields}),
        ]
        if obj is not None:
            fieldsets += [
                (_("流程"), {"fields": self.workflow_fields}),
                (_("记录链"), {"fields": ("chain",)}),
            ]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        if self._editable(request, obj):
            return (*self.subject_fields, *self.workflow_fields, "chain")
        return (*self.subject_fields, *self.content_fields, *self.workflow_fields, "chain")

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user
        return form

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.edit_record(
                record=obj,
                by=request.user,
                item=data["item"],
                occurred_on=data["occurred_on"],
                narrative=data["narrative"],
                source=data["source"],
                points=data.get("points"),
                points_reason=data.get("points_reason") or "",
            )
            return
        created = services.propose_record(
            by=request.user,
            subject=data.get("school") or data.get("teacher") or data.get("student"),
            item=data["item"],
            occurred_on=data["occurred_on"],
            narrative=data["narrative"],
            source=data["source"],
            points=data.get("points"),
            points_reason=data.get("points_reason") or "",
        )
        obj.pk = created.pk
        obj.refresh_from_db()
        obj._state.adding = False

    def delete_model(self, request, obj):
        services.delete_draft(record=obj, by=request.user)

    # -- list columns and the chain

    @admin.display(description=_("对象"))
    def subject_display(self, record):
        return _subject_label(record)

    @admin.display(description=_("学年"), ordering="year")
    def year_label(self, record):
        return academic_year_label(record.year)

    @admin.display(description=_("记录链"))
    def chain(self, record):
        if record.pk is None:
            return "—"
        chain = selectors.record_chain(record)
        parts = []
        if chain["amends"] is not None:
            parts.append(format_html("<p>{} {}</p>", _("更正自："), _record_link(chain["amends"])))
        parts.append(
            _html_table(
                [_("时间"), _("操作"), _("操作人"), _("理由"), _("哈希")],
                [
                    (
                        _when(e.at),
                        e.get_action_display(),
                        _who(e.actor),
                        e.reason,
                        format_html("<code>{}</code>", e.hash[:16]),
                    )
                    for e in chain["ledger"]
                ],
            )
            if chain["ledger"]
            else format_html("<p>{}</p>", _("尚未公布，账本中还没有条目。"))
        )
        if chain["amendments"]:
            links = format_html_join("、", "{}", ((_record_link(a),) for a in chain["amendments"]))
            parts.append(format_html("<p>{} {}</p>", _("更正为："), links))
        if chain["objections"]:
            parts.append(format_html("<h4>{}</h4>", _("异议")))
            parts.append(
                _html_table(
                    [
                        _("提出时间"),
                        _("提出人"),
                        _("异议理由"),
                        _("办理期限"),
                        _("状态"),
                        _("决定理由"),
                    ],
                    [
                        (
                            _when(o.filed_at),
                            _who(o.filed_by),
                            o.reason,
                            o.due_on,
                            o.get_status_display(),
                            o.decision_reason or "—",
                        )
                        for o in chain["objections"]
                    ],
                )
            )
        if chain["repairs"]:
            parts.append(format_html("<h4>{}</h4>", _("信用修复申请")))
            parts.append(
                _html_table(
                    [_("申请时间"), _("申请人"), _("整改证明类型"), _("状态"), _("审核意见")],
                    [
                        (
                            _when(r.applied_at),
                            _who(r.applicant),
                            r.get_proof_kind_display(),
                            r.get_status_display(),
                            r.decision_reason or "—",
                        )
                        for r in chain["repairs"]
                    ],
                )
            )
        return format_html_join("", "{}", ((part,) for part in parts))

    # -- the workflow, through the services

    @admin.action(description=_("提交审核"), permissions=["decide"], location=BOTH_PLACES)
    def submit(self, request, queryset):
        run_each(request, queryset, lambda r: services.submit_record(record=r, by=request.user))

    @admin.action(description=_("审核通过"), permissions=["decide"], location=BOTH_PLACES)
    def approve(self, request, queryset):
        run_each(request, queryset, lambda r: services.approve_record(record=r, by=request.user))

    @admin.action(description=_("公布"), permissions=["decide"], location=BOTH_PLACES)
    def publish(self, request, queryset):
        run_each(request, queryset, lambda r: services.publish_record(record=r, by=request.user))

    @admin.action(description=_("退回"), permissions=["decide"], location=BOTH_PLACES)
    def return_selected(self, request, queryset):
        return ask_then_run(
            self,
            request,
            queryset,
            form_class=ReturnForm,
            title=gettext("退回信用记录"),
            run=lambda record, data: services.return_record(
                record=record, by=request.user, reason=data["reason"]
            ),
        )


# --- objections and repair ---------------------------------------------------------------------


class OverdueFilter(admin.SimpleListFilter):
    title = _("办理期限")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("open", _("处理中")), ("yes", _("已超期")), ("no", _("未超期"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "open":
            return queryset.filter(status=ObjectionStatus.OPEN)
        if self.value() == "yes":
            return queryset.filter(status=ObjectionStatus.OPEN, due_on__lt=today)
        if self.value() == "no":
            return queryset.exclude(status=ObjectionStatus.OPEN, due_on__lt=today)
        return queryset


class ObjectionDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("处理结果"),
        choices=[c for c in ObjectionStatus.choices if c[0] != ObjectionStatus.OPEN],
    )
    reason = forms.CharField(label=_("处理理由"), widget=forms.Textarea(attrs={"rows": 3}))
    points = forms.DecimalField(
        label=_("更正后分值（仅更正时）"), required=False, max_digits=6, decimal_places=2
    )
    item = forms.ModelChoiceField(
        label=_("更正后的信用事项（仅更正时，可留空）"),
        queryset=CatalogItem.objects.filter(active=True),
        required=False,
    )
    narrative = forms.CharField(
        label=_("更正后的事实陈述（仅更正时，可留空）"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class DecidedByServiceAdmin(RegistryModelAdmin):
    """Objections and repair applications are filed by subjects in their portal and decided by
    the bureau through a form here: never added, edited or deleted by hand."""

    decide_label = ""
    open_status = ""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_decide_permission(self, request):
        return access.is_bureau(request.user)

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.opts.fields]

    @admin.display(description=_("信用记录"))
    def record_link(self, obj):
        return _record_link(obj.record)

    @admin.display(description=_("处理"))
    def decide_link(self, obj):
        if obj.status != self.open_status:
            return "—"
        info = self.opts.app_label, self.opts.model_name
        url = reverse("admin:{}_{}_decide".format(*info), args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, self.decide_label)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<int:pk>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="{}_{}_decide".format(*info),
            ),
            *super().get_urls(),
        ]

    def decide_view(self, request, pk: int):
        if not self.has_decide_permission(request):
            raise PermissionDenied
        obj = get_object_or_404(self.get_queryset(request), pk=pk)
        form = self.decision_form(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                self.decide(request, obj, form.cleaned_data)
            except (ValidationError, PermissionDenied) as error:
                messages.error(request, error_text(error))
            else:
                messages.success(request, gettext("已处理"))
                info = self.opts.app_label, self.opts.model_name
                return redirect("admin:{}_{}_changelist".format(*info))
        return _decision_page(request, self, obj, form, self.decide_label)


@admin.register(Objection)
class ObjectionAdmin(DecidedByServiceAdmin):
    decision_form = ObjectionDecisionForm
    decide_label = _("处理异议")
    open_status = ObjectionStatus.OPEN
    list_display = (
        "id",
        "record_link",
        "filed_by",
        "filed_at",
        "due_on",
        "overdue",
        "status",
        "decide_link",
    )
    list_filter = ("status", OverdueFilter)
    list_select_related = (
        "record__item",
        "record__school",
        "record__teacher",
        "record__student",
        "filed_by",
    )
    search_fields = ("=record__id", "record__teacher__name", "record__school__name")
    date_hierarchy = "filed_at"
    actions = ["uphold", "revoke"]

    @admin.display(description=_("超期"), boolean=True)
    def overdue(self, objection):
        return objection.is_overdue(timezone.localdate())

    def decide(self, request, objection, data):
        services.decide_objection(
            objection=objection,
            by=request.user,
            outcome=data["outcome"],
            reason=data["reason"],
            points=data["points"],
            item=data["item"],
            narrative=data["narrative"] or None,
        )

    def _decide_selected(self, request, queryset, outcome, title):
        return ask_then_run(
            self,
            request,
            queryset,
            form_class=ReasonForm,
            title=title,
            run=lambda objection, data: services.decide_objection(
                objection=objection, by=request.user, outcome=outcome, reason=data["reason"]
            ),
        )

    @admin.action(description=_("维持原记录（异议不成立）"), permissions=["decide"])
    def uphold(self, request, queryset):
        return self._decide_selected(
            request, queryset, ObjectionStatus.UPHELD, gettext("维持原记录")
        )

    @admin.action(description=_("撤销记录（异议成立）"), permissions=["decide"])
    def revoke(self, request, queryset):
        return self._decide_selected(
            request, queryset, ObjectionStatus.REVOKED, gettext("撤销记录")
        )


class RepairDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("审核结果"),
        choices=[("1", _("批准修复")), ("0", _("不予批准修复"))],
        coerce=lambda value: value == "1",
    )
    reason = forms.CharField(label=_("审核意见"), widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(RepairApplication)
class RepairApplicationAdmin(DecidedByServiceAdmin):
    decision_form = RepairDecisionForm
    decide_label = _("审核信用修复申请")
    open_status = RepairStatus.PENDING
    list_display = (
        "id",
        "record_link",
        "applicant",
        "applied_at",
        "proof_kind",
        "status",
        "decided_by",
        "decide_link",
    )
    list_filter = ("status", "proof_kind")
    list_select_related = (
        "record__item",
        "record__school",
        "record__teacher",
        "record__student",
        "applicant",
        "decided_by",
    )
    search_fields = ("=record__id", "record__teacher__name", "record__school__name")
    date_hierarchy = "applied_at"
    actions = ["approve_repair", "refuse_repair"]

    def decide(self, request, application, data):
        services.decide_repair(
            application=application, by=request.user, approve=data["approve"], reason=data["reason"]
        )

    def _decide_selected(self, request, queryset, approve, title):
        return ask_then_run(
            self,
            request,
            queryset,
            form_class=ReasonForm,
            title=title,
            run=lambda application, data: services.decide_repair(
                application=application, by=request.user, approve=approve, reason=data["reason"]
            ),
        )

    @admin.action(description=_("批准修复"), permissions=["decide"])
    def approve_repair(self, request, queryset):
        return self._decide_selected(request, queryset, True, gettext("批准信用修复"))

    @admin.action(description=_("不予批准修复"), permissions=["decide"])
    def refuse_repair(self, request, queryset):
        return self._decide_selected(request, queryset, False, gettext("不予批准信用修复"))


# --- complaint clues ---------------------------------------------------------------------------


class ClueNoteInline(RegistryInline):
    model = ClueNote
    read_only = True
    can_delete = False
    fields = ("at", "author", "text")
    readonly_fields = fields


class AssignForm(forms.Form):
    inspector = forms.ModelChoiceField(label=_("督查员"), queryset=get_user_model().objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspector"].queryset = get_user_model().objects.filter(
            groups__name=access.Role.INSPECTOR, is_active=True
        )


class NoteForm(forms.Form):
    text = forms.CharField(label=_("调查情况"), widget=forms.Textarea(attrs={"rows": 4}))


class CloseClueForm(forms.Form):
    substantiated = forms.TypedChoiceField(
        label=_("核查结论"),
        choices=[("0", _("不属实，办结")), ("1", _("属实，提出信用记录"))],
        coerce=lambda value: value == "1",
    )
    conclusion = forms.CharField(label=_("办结意见"), widget=forms.Textarea(attrs={"rows": 4}))
    item = forms.ModelChoiceField(
        label=_("信用事项（属实时）"),
        queryset=CatalogItem.objects.filter(active=True, polarity="negative"),
        required=False,
    )
    occurred_on = forms.DateField(
        label=_("发生日期（属实时，格式 2025-03-02）"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def clues_assigned_to(user):
    return ComplaintClue.objects.filter(assigned_to=user)


@admin.register(ComplaintClue)
class ComplaintClueAdmin(RegistryModelAdmin):
    """The bureau takes in and assigns clues; an inspector sees the clues assigned to them and
    works them (notes, closing) through the 办理 page."""

    scope = staticmethod(clues_assigned_to)
    inspector_may_view = True
    list_display = (
        "id",
        "subject_description",
        "channel",
        "received_at",
        "school",
        "teacher",
        "status",
        "assigned_to",
        "work_link",
    )
    list_display_links = ("id", "subject_description")
    list_filter = ("status", "channel")
    list_select_related = ("assigned_to", "school", "teacher")
    search_fields = ("=id", "subject_description", "content", "school__name", "teacher__name")
    autocomplete_fields = ("school",)
    raw_id_fields = ("teacher",)
    date_hierarchy = "received_at"
    readonly_fields = (
        "received_at",
        "status",
        "assigned_to",
        "assigned_at",
        "closed_by",
        "closed_at",
        "conclusion",
        "proposed_record",
        "created_by",
    )
    inlines = [ClueNoteInline]
    actions = ["assign"]

    def has_decide_permission(self, request):
        return access.is_bureau(request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # a clue is closed, never removed

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created = services.receive_clue(
            channel=obj.channel,
            subject_description=obj.subject_description,
            content=obj.content,
            by=request.user,
            school=obj.school,
            teacher=obj.teacher,
            reporter_name=obj.reporter_name,
            reporter_contact=obj.reporter_contact,
        )
        obj.pk = created.pk
        obj.refresh_from_db()
        obj._state.adding = False

    @admin.display(description=_("办理"))
    def work_link(self, clue):
        work = reverse("admin:evaluations_complaintclue_work", args=[clue.pk])
        if clue.status not in (ClueStatus.RECEIVED, ClueStatus.ASSIGNED):
            return format_html('<a href="{}">{}</a>', work, _("查看"))
        close = reverse("admin:evaluations_complaintclue_close", args=[clue.pk])
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>', work, _("办理"), close, _("办结")
        )

    @admin.action(description=_("分派给督查员"), permissions=["decide"])
    def assign(self, request, queryset):
        return ask_then_run(
            self,
            request,
            queryset,
            form_class=AssignForm,
            title=gettext("分派信访线索"),
            run=lambda clue, data: services.assign_clue(
                clue=clue, inspector=data["inspector"], by=request.user
            ),
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/handle/",
                self.admin_site.admin_view(self.work_view),
                name="evaluations_complaintclue_work",
            ),
            path(
                "<int:pk>/close/",
                self.admin_site.admin_view(self.close_view),
                name="evaluations_complaintclue_close",
            ),
            *super().get_urls(),
        ]

    def work_view(self, request, pk: int):
        clue = get_object_or_404(self.get_queryset(request), pk=pk)
        assign = AssignForm(request.POST if "assign" in request.POST else None)
        note = NoteForm(request.POST if "note" in request.POST else None)
        try:
            if "assign" in request.POST and assign.is_valid():
                services.assign_clue(
                    clue=clue, inspector=assign.cleaned_data["inspector"], by=request.user
                )
                messages.success(request, gettext("已分派"))
                return redirect(request.path)
            if "note" in request.POST and note.is_valid():
                services.add_clue_note(clue=clue, by=request.user, text=note.cleaned_data["text"])
                messages.success(request, gettext("已记录"))
                return redirect(request.path)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, error_text(error))
        return TemplateResponse(
            request,
            "admin/credit_registry/clue.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": gettext("办理信访线索 #%(id)s") % {"id": clue.pk},
                "clue": clue,
                "notes": clue.notes.select_related("author"),
                "assign_form": assign if access.is_bureau(request.user) else None,
                "note_form": note,
            },
        )

    def close_view(self, request, pk: int):
        clue = get_object_or_404(self.get_queryset(request), pk=pk)
        form = CloseClueForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.close_clue(
                    clue=clue,
                    by=request.user,
                    substantiated=data["substantiated"],
                    conclusion=data["conclusion"],
                    item=data["item"],
                    occurred_on=data["occurred_on"],
                )
            except (ValidationError, PermissionDenied) as error:
                messages.error(request, error_text(error))
            else:
                messages.success(request, gettext("线索已办结"))
                return redirect("admin:evaluations_complaintclue_changelist")
        return _decision_page(request, self, clue, form, gettext("办结信访线索"))


@admin.register(ClueNote)
class ClueNoteAdmin(ReadOnlyAdmin):
    list_display = ("clue", "author", "at", "text")
    list_select_related = ("clue", "author")
    search_fields = ("=clue__id", "text")
    date_hierarchy = "at"


# --- the ledger --------------------------------------------------------------------------------


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("id", "record_link", "action", "actor", "at", "reason", "short_hash")
    list_filter = ("action",)
    list_select_related = ("actor",)
    search_fields = ("=record__id", "=hash")
    ordering = ("-id",)

    @admin.display(description=_("信用记录"))
    def record_link(self, entry):
        url = reverse("admin:evaluations_creditrecord_change", args=[entry.record_id])
        return format_html('<a href="{}">#{}</a>', url, entry.record_id)

    @admin.display(description=_("哈希"))
    def short_hash(self, entry):
        return format_html("<code>{}</code>", entry.hash[:16])


@admin.register(LedgerHead)
class LedgerHeadAdmin(ReadOnlyAdmin):
    list_display = ("id", "last_hash")


# --- years, policies, results ------------------------------------------------------------------


@admin.register(AssessmentYear)
class AssessmentYearAdmin(RegistryModelAdmin):
    list_display = ("__str__", "year", "closed_at", "closed_by")
    list_select_related = ("closed_by",)
    actions = ["close"]

    def get_readonly_fields(self, request, obj=None):
        return ("year", "closed_at", "closed_by") if obj is not None else ("closed_at", "closed_by")

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def has_decide_permission(self, request):
        return access.is_bureau(request.user)

    def save_model(self, request, obj, form, change):
        services.ensure_year(year=obj.year, by=request.user)

    @admin.action(description=_("关闭所选学年（重算后冻结结果）"), permissions=["decide"])
    def close(self, request, queryset):
        run_each(
            request, queryset, lambda year: services.close_year(year=year.year, by=request.user)
        )


class ConsequenceRuleInline(RegistryInline):
    model = ConsequenceRule
    read_only = True
    can_delete = False


@admin.register(AssessmentPolicy)
class AssessmentPolicyAdmin(RegistryModelAdmin):
    """A policy is never edited: the add form creates the next version of a year's policy
    (``services.create_policy_version``); saved versions are read-only."""

    list_display = (
        "__str__",
        "year",
        "version",
        "base_score",
        "positive_cap",
        "grade_a",
        "grade_b",
        "grade_c",
        "note",
        "created_by",
        "created_at",
    )
    list_filter = ("year",)
    list_select_related = ("year", "created_by")
    inlines = [ConsequenceRuleInline]
    readonly_fields = ("version", "created_by", "created_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return [f.name for f in AssessmentPolicy._meta.fields]
        return self.readonly_fields

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        values = {
            name: value
            for name, value in form.cleaned_data.items()
            if name not in ("year", "note", "version")
        }
        created = services.create_policy_version(
            year=form.cleaned_data["year"].year,
            by=request.user,
            note=form.cleaned_data.get("note", ""),
            **values,
        )
        obj.pk = created.pk
        obj.refresh_from_db()
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        pass  # the rules are copied by the service from the previous version


@admin.register(ConsequenceRule)
class ConsequenceRuleAdmin(ReadOnlyAdmin):
    """Rules belong to a policy version and change only with a new version."""

    list_display = ("policy", "subject_kind", "trigger", "purpose", "effect", "extra_years")
    list_filter = ("subject_kind", "trigger", "purpose", "effect")
    list_select_related = ("policy",)


@admin.register(AssessmentResult)
class AssessmentResultAdmin(ReadOnlyAdmin):
    list_display = (
        "subject_display",
        "year",
        "record_score",
        "evaluation_score",
        "total_score",
        "grade",
        "vetoed",
    )
    list_filter = ("year", "grade", "vetoed")
    list_select_related = ("year", "school", "teacher", "student")
    search_fields = ("teacher__name", "school__name", "=student__student_number")
    fields = (
        "subject_display",
        "year",
        "policy",
        "record_score",
        "evaluation_score",
        "total_score",
        "grade",
        "vetoed",
        "explanation_table",
        "computed_at",
    )
    readonly_fields = fields

    @admin.display(description=_("对象"))
    def subject_display(self, result):
        return _subject_label(result)

    @admin.display(description=_("计分说明"))
    def explanation_table(self, result):
        explanation = result.explanation or {}
        rows = [
            (line.get("label", ""), line.get("date") or "", line.get("points", ""))
            for line in explanation.get("lines", [])
        ]
        rows.append((gettext("记录分"), "", explanation.get("record_score", "")))
        rows += [
            (line.get("label", ""), line.get("date") or "", line.get("points", ""))
            for line in explanation.get("components", [])
        ]
        rows.append((gettext("综合得分"), "", explanation.get("total", "")))
        table = _html_table([_("项目"), _("日期"), _("分值")], rows)
        if explanation.get("veto"):
            return format_html("{}<p>{}：{}</p>", table, _("一票否决"), explanation["veto"])
        return table


# --- notices and evidence ----------------------------------------------------------------------


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ("title", "recipient", "created_at", "read_at")
    list_select_related = ("recipient",)
    search_fields = ("title", "recipient__username")
    ordering = ("-id",)


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = (
        "original_name",
        "record_link",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
    )
    list_select_related = ("uploaded_by",)
    search_fields = ("=record__id", "original_name", "=sha256")

    @admin.display(description=_("信用记录"))
    def record_link(self, evidence):
        url = reverse("admin:evaluations_creditrecord_change", args=[evidence.record_id])
        return format_html('<a href="{}">#{}</a>', url, evidence.record_id)


# --- evaluation rounds -------------------------------------------------------------------------


class QuestionItemInline(RegistryInline):
    model = QuestionItem
    fields = ("order", "title", "text")


@admin.register(Questionnaire)
class QuestionnaireAdmin(RegistryModelAdmin):
    list_display = ("name", "subject_kind", "active")
    list_filter = ("subject_kind", "active")
    search_fields = ("name",)
    inlines = [QuestionItemInline]


@admin.register(QuestionItem)
class QuestionItemAdmin(RegistryModelAdmin):
    list_display = ("questionnaire", "order", "title", "text")
    list_filter = ("questionnaire",)
    list_select_related = ("questionnaire",)
    search_fields = ("title", "questionnaire__name")


@admin.register(EvaluationRound)
class EvaluationRoundAdmin(RegistryModelAdmin):
    """A round is set up here while it is being prepared (``evaluation_services.create_round``);
    opening it, assigning raters, generating codes and closing it are the actions of
    ``evaluations.admin_rounds``, each through the evaluation services."""

    form = EvaluationRoundForm
    actions = ROUND_ACTIONS
    # Progress is counted per round; there is one round a year, so the list stays short.
    list_display = (
        "name",
        "year",
        "subject_kind",
        "questionnaire",
        "status",
        "closes_on",
        round_progress,
    )
    list_filter = ("status", "subject_kind", "year")
    list_select_related = ("year", "questionnaire")
    search_fields = ("name",)
    readonly_fields = (
        "subject_kind",
        "status",
        "created_by",
        "created_at",
        "opened_at",
        "closed_by",
        "closed_at",
    )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or obj.status == RoundStatus.DRAFT
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or obj.status == RoundStatus.DRAFT
        )

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        created = evaluation_services.create_round(
            by=request.user,
            year=data["year"].pk,
            name=data["name"],
            closes_on=data["closes_on"],
            questionnaire=data["questionnaire"],
            peers_per_teacher=data["peers_per_teacher"],
            weights={group: data[field] for group, field in WEIGHT_FIELDS.items()},
        )
        obj.pk = created.pk
        obj.refresh_from_db()
        obj._state.adding = False


@admin.register(RaterAssignment)
class RaterAssignmentAdmin(ReadOnlyAdmin):
    list_display = ("round", "group", "ratee", "rater_teacher", "rater_school", "answered_at")
    list_filter = ("group", "round")
    list_select_related = ("round", "ratee", "rater_teacher", "rater_school")
    search_fields = ("ratee__name", "rater_teacher__name", "rater_school__name")


@admin.register(AccessCode)
class AccessCodeAdmin(ReadOnlyAdmin):
    """Codes are generated by the round's action and printed as cards from here."""

    list_display = (
        "code",
        "round",
        "group",
        "school",
        "classroom",
        "expires_at",
        "used_at",
        code_sheet_link,
    )
    list_filter = ("group", "round")
    list_select_related = ("round", "school", "classroom")
    search_fields = ("=code", "school__name")
