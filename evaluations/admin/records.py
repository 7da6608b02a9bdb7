"""The bureau's ledger pages. Every state change goes through the records services: the admin
site offers the steps (as actions on the list and on the record's own page, or as a small form),
the services decide whether they are allowed, and a refusal is shown as an error message.

A published record is read-only here and can never be deleted; what happens to it afterwards
(objection, amendment, revocation, repair) is shown as its chain (记录链) on its page.

Individual evaluation answers (``Response``, ``Answer``) have no page on purpose: nobody browses
who answered what; results are read as group averages through the selectors.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin import ActionLocation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import CharField, Q, Value
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from credit_registry import access, rules
from credit_registry.admin_bases import (
    Confirmation,
    ReadOnlyAdmin,
    RegistryInline,
    RegistryModelAdmin,
    ask_then_run,
    person_column,
)
from credit_registry.admin_filters import AcademicYearFilter
from credit_registry.admin_spreadsheets import SpreadsheetAdminMixin
from credit_registry.common.errors import error_text
from credit_registry.common.identity import normalize_code
from credit_registry.common.search import name_contains
from credit_registry.common.years import academic_year_label, academic_year_of
from evaluations.admin.common import (
    BOTH_PLACES,
    ReturnForm,
    SubjectSchoolFilter,
    html_table,
    record_anchor,
    record_columns,
    records_for_confirmation,
    school_name,
    subject_label,
    when_text,
    who_text,
)
from evaluations.models import (
    CatalogItem,
    CreditRecord,
    Evidence,
    LedgerEntry,
    LedgerHead,
    Notice,
)
from evaluations.records import selectors, services
from evaluations.records.resources import CreditRecordResource
from schools.models import School
from students.models import Student
from teachers.models import Teacher

# A record's content may be corrected until the bureau approves it; approved and published
# records change only through the services (return, objection, amendment).


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
            "deciding_office",
            "document_number",
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
            raise ValidationError(_("请在学校、教师、学生中选择且只选择一个对象"))
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
        "school_display",
        "item",
        "points",
        "weight",
        "occurred",
        "year_label",
        "status",
        "source",
        person_column(CreditRecord, "recorded_by"),
    )
    list_display_links = ("id", "subject_display")
    list_filter = (
        "status",
        SubjectSchoolFilter,
        AcademicYearFilter,
        "item__subject_kind",
        "item__polarity",
        "item__severity",
        "source",
    )
    list_select_related = (
        "item",
        "school",
        "teacher__school",
        "student__school",
        "recorded_by",
    )
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
    content_fields = (
        "item",
        "points",
        "points_reason",
        "occurred_on",
        "source",
        "narrative",
        "deciding_office",
        "document_number",
    )
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
        if ids["school"]:  # a school's name finds its teachers' and students' records too
            matches |= selectors.subjects_at_schools(ids["school"])
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
                deciding_office=data.get("deciding_office") or "",
                document_number=data.get("document_number") or "",
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
            deciding_office=data.get("deciding_office") or "",
            document_number=data.get("document_number") or "",
        )
        obj.pk = created.pk
        obj.refresh_from_db()
        obj._state.adding = False

    def delete_model(self, request, obj):
        services.delete_draft(record=obj, by=request.user)

    # -- list columns and the chain

    @admin.display(description=_("对象"))
    def subject_display(self, record):
        return subject_label(record)

    @admin.display(description=_("学校"))
    def school_display(self, record):
        return school_name(record)

    @admin.display(description=_("严重程度"))
    def weight(self, record):
        """The item's severity, and 一票否决 where it vetoes: what a reviewer weighs."""
        severity = record.item.get_severity_display()
        if record.item.vetoes:
            return format_html(
                '{} <strong class="registry-warning">{}</strong>', severity, _("否决")
            )
        return severity

    @admin.display(description=_("发生日期"), ordering="occurred_on")
    def occurred(self, record):
        return date_format(record.occurred_on, "Y-m-d")

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
            parts.append(format_html("<p>{} {}</p>", _("更正自："), record_anchor(chain["amends"])))
        parts.append(
            html_table(
                [_("时间"), _("操作"), _("操作人"), _("理由"), _("哈希")],
                [
                    (
                        when_text(e.at),
                        e.get_action_display(),
                        who_text(e.actor),
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
            links = format_html_join("、", "{}", ((record_anchor(a),) for a in chain["amendments"]))
            parts.append(format_html("<p>{} {}</p>", _("更正为："), links))
        if chain["objections"]:
            parts.append(format_html("<h4>{}</h4>", _("异议")))
            parts.append(
                html_table(
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
                            when_text(o.filed_at),
                            who_text(o.filed_by),
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
                html_table(
                    [_("申请时间"), _("申请人"), _("整改证明类型"), _("状态"), _("审核意见")],
                    [
                        (
                            when_text(r.applied_at),
                            who_text(r.applicant),
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

    def _confirm_then(self, request, queryset, run, confirmation, form_class=None):
        return ask_then_run(
            self,
            request,
            records_for_confirmation(queryset),
            run=run,
            confirmation=confirmation,
            **({"form_class": form_class} if form_class else {}),
        )

    @admin.action(description=_("提交审核"), permissions=["decide"], location=BOTH_PLACES)
    def submit(self, request, queryset):
        return self._confirm_then(
            request,
            queryset,
            lambda record, data: services.submit_record(record=record, by=request.user),
            Confirmation(
                title=gettext("提交审核"),
                consequence=gettext("提交后，记录进入局机关的待审核队列。"),
                columns=record_columns(),
                done=lambda done: (
                    gettext("已提交%(count)d条信用记录，等待审核") % {"count": len(done)}
                ),
            ),
        )

    @admin.action(description=_("审核通过"), permissions=["decide"], location=BOTH_PLACES)
    def approve(self, request, queryset):
        return self._confirm_then(
            request,
            queryset,
            lambda record, data: services.approve_record(record=record, by=request.user),
            Confirmation(
                title=gettext("审核通过"),
                consequence=gettext("审核通过后，记录进入待公布队列；公布之前，当事人看不到它。"),
                columns=record_columns(),
                done=lambda done: (
                    gettext("已审核通过%(count)d条信用记录，可以公布") % {"count": len(done)}
                ),
            ),
        )

    @admin.action(description=_("公布"), permissions=["decide"], location=BOTH_PLACES)
    def publish(self, request, queryset):
        return self._confirm_then(
            request,
            queryset,
            lambda record, data: services.publish_record(record=record, by=request.user),
            Confirmation(
                title=gettext("公布"),
                consequence=gettext(
                    "公布后，当事人收到通知，异议期自公布之日起计算，得分和等级随即重算。"
                ),
                irreversible=gettext(
                    "公布的记录写入信用账本，不能再修改或删除，只能通过异议、更正或信用修复改变。"
                ),
                columns=record_columns(),
                done=_published_message,
            ),
        )

    @admin.action(description=_("退回"), permissions=["decide"], location=BOTH_PLACES)
    def return_selected(self, request, queryset):
        return self._confirm_then(
            request,
            queryset,
            lambda record, data: services.return_record(
                record=record, by=request.user, reason=data["reason"]
            ),
            Confirmation(
                title=gettext("退回"),
                consequence=gettext("退回后，记录人看到退回理由，修改后可重新提交。"),
                columns=record_columns(),
                done=lambda done: gettext("已退回%(count)d条信用记录") % {"count": len(done)},
            ),
            form_class=ReturnForm,
        )


def _published_message(records) -> str:
    notified = {user.pk for record in records for user in services.subject_recipients(record)[0]}
    return gettext("已公布%(count)d条信用记录，已通知%(people)d位当事人") % {
        "count": len(records),
        "people": len(notified),
    }


# --- the ledger --------------------------------------------------------------------------------


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    technical = True
    list_display = (
        "id",
        "record_link",
        "action",
        person_column(LedgerEntry, "actor"),
        "at",
        "reason",
        "short_hash",
    )
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
    technical = True
    list_display = ("id", "last_hash")


# --- notices and evidence ----------------------------------------------------------------------


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    technical = True
    list_display = ("title", person_column(Notice, "recipient"), "created_at", "read_at")
    list_select_related = ("recipient",)
    search_fields = ("title", "recipient__username")
    ordering = ("-id",)


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    technical = True
    list_display = (
        "original_name",
        "record_link",
        "content_type",
        "size",
        person_column(Evidence, "uploaded_by"),
        "uploaded_at",
    )
    list_select_related = ("uploaded_by",)
    search_fields = ("=record__id", "original_name", "=sha256")

    @admin.display(description=_("信用记录"))
    def record_link(self, evidence):
        url = reverse("admin:evaluations_creditrecord_change", args=[evidence.record_id])
        return format_html('<a href="{}">#{}</a>', url, evidence.record_id)
