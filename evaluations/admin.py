"""The bureau's ledger pages. Every state change goes through ``evaluations.services``: the admin
site offers the steps, the services decide whether they are allowed."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from credit_registry import access
from credit_registry.admin import ReadOnlyAdmin, RegistryModelAdmin
from credit_registry.admin_spreadsheets import SpreadsheetAdminMixin
from evaluations import services
from evaluations.models import (
    AssessmentPolicy,
    AssessmentResult,
    AssessmentYear,
    CatalogItem,
    ClueNote,
    ComplaintClue,
    ConsequenceRule,
    CreditRecord,
    Evidence,
    LedgerEntry,
    Notice,
    Objection,
    ObjectionStatus,
    RepairApplication,
    RepairStatus,
    academic_year_of,
)
from evaluations.resources import CreditRecordResource


def _apply(request, action, queryset, label: str, **kwargs) -> None:
    done = 0
    for obj in queryset:
        try:
            action(record=obj, by=request.user, **kwargs)
            done += 1
        except (ValidationError, PermissionDenied) as error:
            text = "；".join(error.messages) if isinstance(error, ValidationError) else str(error)
            messages.error(request, f"#{obj.pk}：{text}")
    if done:
        messages.success(request, f"{label}：{done}条")


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
    list_filter = ("subject_kind", "polarity", "severity", "vetoes", "active")
    search_fields = ("code", "name")

    def has_delete_permission(self, request, obj=None):
        return False  # items with records are protected; retire an item with "active" instead


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    fields = ("original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ReturnForm(forms.Form):
    reason = forms.CharField(label="退回理由", max_length=200)


@admin.register(CreditRecord)
class CreditRecordAdmin(SpreadsheetAdminMixin, RegistryModelAdmin):
    resource_classes = [CreditRecordResource]
    scope = staticmethod(access.records_visible_to)
    inspector_may_view = True
    inspector_may_add = True
    list_display = (
        "id",
        "subject_display",
        "item",
        "points",
        "occurred_on",
        "year",
        "status",
        "source",
    )
    list_filter = ("status", "year", "item__subject_kind", "source", "item__severity")
    list_select_related = ("item", "school", "teacher", "student")
    search_fields = (
        "=id",
        "teacher__name",
        "=teacher__id_number",
        "school__name",
        "student__name",
        "=student__student_number",
    )
    autocomplete_fields = ("school", "item")
    raw_id_fields = ("teacher", "student")
    date_hierarchy = "occurred_on"
    actions = ["approve", "publish"]
    inlines = [EvidenceInline]
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
        "status",
        "returned_reason",
        "chain",
    )

    @admin.display(description="对象")
    def subject_display(self, record):
        if record.student_id:
            return f"学生 {record.student.masked_name}"
        if record.teacher_id:
            return f"教师 {record.teacher.name}"
        return f"学校 {record.school.name}"

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and (obj.is_published or not access.is_bureau(request.user)):
            return self.fields
        return ("status", "returned_reason", "chain")

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or not obj.is_published)

    def has_delete_permission(self, request, obj=None):
        return access.is_bureau(request.user) and (obj is None or not obj.is_published)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        subject = obj.school or obj.teacher or obj.student
        if subject is None:
            raise PermissionDenied
        created = services.propose_record(
            by=request.user,
            subject=subject,
            item=obj.item,
            occurred_on=obj.occurred_on,
            narrative=obj.narrative,
            source=obj.source,
            points=obj.points,
            points_reason=obj.points_reason,
        )
        obj.pk = created.pk
        obj.refresh_from_db()

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        original_clean = form.clean

        def clean(form_self):
            data = original_clean(form_self)
            if obj is None and data.get("item") and data.get("occurred_on"):
                subject = data.get("school") or data.get("teacher") or data.get("student")
                if subject is None:
                    raise ValidationError("请选择一个对象 / Choose a subject.")
                services.check_proposal(
                    by=request.user,
                    subject=subject,
                    item=data["item"],
                    occurred_on=data["occurred_on"],
                    narrative=data.get("narrative") or "",
                    points=data.get("points"),
                    points_reason=data.get("points_reason") or "",
                )
                form_self.instance.year = academic_year_of(data["occurred_on"])
                form_self.instance.recorded_by = request.user
                form_self.instance.recorded_at = timezone.now()
            return data

        form.clean = clean
        return form

    @admin.display(description="记录链")
    def chain(self, record):
        entries = record.ledger.select_related("actor").order_by("id")
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
            (
                (
                    timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M"),
                    e.get_action_display(),
                    e.actor,
                    e.reason,
                    e.hash[:16],
                )
                for e in entries
            ),
        )
        amendments = format_html_join(
            "",
            '<p>更正记录：<a href="{}">#{}</a></p>',
            (
                (reverse("admin:evaluations_creditrecord_change", args=[a.pk]), a.pk)
                for a in record.amendments.all()
            ),
        )
        original = (
            format_html(
                '<p>更正自：<a href="{}">#{}</a></p>',
                reverse("admin:evaluations_creditrecord_change", args=[record.amends_id]),
                record.amends_id,
            )
            if record.amends_id
            else ""
        )
        if not rows:
            return "尚未公布"
        return format_html(
            "<table><tr><th>时间</th><th>操作</th><th>操作人</th><th>理由</th><th>哈希</th></tr>{}</table>{}{}",
            rows,
            amendments,
            original,
        )

    @admin.action(description="审核通过所选记录")
    def approve(self, request, queryset):
        _apply(request, services.approve_record, queryset, "已审核")

    @admin.action(description="公布所选记录")
    def publish(self, request, queryset):
        _apply(request, services.publish_record, queryset, "已公布")

    def get_urls(self):
        return [
            path(
                "<int:pk>/return/",
                self.admin_site.admin_view(self.return_view),
                name="evaluations_creditrecord_return",
            ),
            *super().get_urls(),
        ]

    def return_view(self, request, pk: int):
        record = get_object_or_404(self.get_queryset(request), pk=pk)
        form = ReturnForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            _apply(
                request,
                services.return_record,
                [record],
                "已退回",
                reason=form.cleaned_data["reason"],
            )
            return redirect("admin:evaluations_creditrecord_change", record.pk)
        return _decision_page(request, self, record, form, "退回信用记录")


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


class ObjectionDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label="处理结果",
        choices=[c for c in ObjectionStatus.choices if c[0] != ObjectionStatus.OPEN],
    )
    reason = forms.CharField(label="处理理由", widget=forms.Textarea(attrs={"rows": 3}))
    points = forms.DecimalField(
        label="更正后分值（仅更正时）", required=False, max_digits=6, decimal_places=2
    )
    narrative = forms.CharField(
        label="更正后的事实陈述（仅更正时，可留空）",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class OverdueFilter(admin.SimpleListFilter):
    title = "办理期限"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "已超期"), ("no", "未超期")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "yes":
            return queryset.filter(status=ObjectionStatus.OPEN, due_on__lt=today)
        if self.value() == "no":
            return queryset.exclude(status=ObjectionStatus.OPEN, due_on__lt=today)
        return queryset


@admin.register(Objection)
class ObjectionAdmin(RegistryModelAdmin):
    list_display = ("record", "filed_by", "filed_at", "due_on", "overdue", "status", "decide_link")
    list_filter = ("status", OverdueFilter)
    list_select_related = (
        "record__item",
        "record__school",
        "record__teacher",
        "record__student",
        "filed_by",
    )
    search_fields = ("=record__id", "record__teacher__name", "record__school__name")
    readonly_fields = [f.name for f in Objection._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="超期", boolean=True)
    def overdue(self, objection):
        return objection.is_overdue(timezone.localdate())

    @admin.display(description="处理")
    def decide_link(self, objection):
        if objection.status != ObjectionStatus.OPEN:
            return "—"
        return format_html(
            '<a href="{}">处理</a>',
            reverse("admin:evaluations_objection_decide", args=[objection.pk]),
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="evaluations_objection_decide",
            ),
            *super().get_urls(),
        ]

    def decide_view(self, request, pk: int):
        if not access.is_bureau(request.user):
            raise PermissionDenied
        objection = get_object_or_404(Objection.objects.select_related("record__item"), pk=pk)
        form = ObjectionDecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.decide_objection(
                    objection=objection,
                    by=request.user,
                    outcome=data["outcome"],
                    reason=data["reason"],
                    points=data["points"],
                    narrative=data["narrative"] or None,
                )
            except ValidationError as error:
                form.add_error(None, "；".join(error.messages))
            else:
                messages.success(request, "异议已处理")
                return redirect("admin:evaluations_objection_changelist")
        return _decision_page(request, self, objection, form, "处理异议")


class RepairDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label="审核结果", choices=[("1", "批准修复"), ("0", "不予批准")], coerce=lambda v: v == "1"
    )
    reason = forms.CharField(label="审核意见", widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(RepairApplication)
class RepairApplicationAdmin(ObjectionAdmin):
    list_display = ("record", "applicant", "applied_at", "proof_kind", "status", "decide_link")
    list_filter = ("status", "proof_kind")
    list_select_related = (
        "record__item",
        "record__school",
        "record__teacher",
        "record__student",
        "applicant",
    )
    readonly_fields = [f.name for f in RepairApplication._meta.fields]

    @admin.display(description="审核")
    def decide_link(self, application):
        if application.status != RepairStatus.PENDING:
            return "—"
        return format_html(
            '<a href="{}">审核</a>',
            reverse("admin:evaluations_repairapplication_decide", args=[application.pk]),
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="evaluations_repairapplication_decide",
            ),
            *RegistryModelAdmin.get_urls(self),
        ]

    def decide_view(self, request, pk: int):
        if not access.is_bureau(request.user):
            raise PermissionDenied
        application = get_object_or_404(RepairApplication, pk=pk)
        form = RepairDecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.decide_repair(
                    application=application, by=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                form.add_error(None, "；".join(error.messages))
            else:
                messages.success(request, "修复申请已审核")
                return redirect("admin:evaluations_repairapplication_changelist")
        return _decision_page(request, self, application, form, "审核信用修复申请")


class ClueNoteInline(admin.TabularInline):
    model = ClueNote
    extra = 0
    readonly_fields = ("author", "at", "text")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class AssignForm(forms.Form):
    inspector = forms.ModelChoiceField(label="督查员", queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model

        self.fields["inspector"].queryset = get_user_model().objects.filter(
            groups__name=access.Role.INSPECTOR, is_active=True
        )


class NoteForm(forms.Form):
    text = forms.CharField(label="调查情况", widget=forms.Textarea(attrs={"rows": 4}))


@admin.register(ComplaintClue)
class ComplaintClueAdmin(RegistryModelAdmin):
    inspector_may_view = True
    list_display = (
        "id",
        "subject_description",
        "channel",
        "received_at",
        "status",
        "assigned_to",
        "work_link",
    )
    list_filter = ("status", "channel")
    list_select_related = ("assigned_to",)
    search_fields = ("subject_description", "content")
    autocomplete_fields = ("school",)
    raw_id_fields = ("teacher",)
    readonly_fields = (
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

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if access.role_of(request.user) == access.Role.INSPECTOR:
            queryset = queryset.filter(assigned_to=request.user)
        return queryset

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

    def save_formset(self, request, form, formset, change):
        formset.save()

    @admin.display(description="办理")
    def work_link(self, clue):
        return format_html(
            '<a href="{}">办理</a>', reverse("admin:evaluations_complaintclue_work", args=[clue.pk])
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/work/",
                self.admin_site.admin_view(self.work_view),
                name="evaluations_complaintclue_work",
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
                messages.success(request, "已分派")
                return redirect(request.path)
            if "note" in request.POST and note.is_valid():
                services.add_clue_note(clue=clue, by=request.user, text=note.cleaned_data["text"])
                messages.success(request, "已记录")
                return redirect(request.path)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, "；".join(getattr(error, "messages", [str(error)])))
        return TemplateResponse(
            request,
            "admin/credit_registry/clue.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": f"办理信访线索 #{clue.pk}",
                "clue": clue,
                "notes": clue.notes.select_related("author"),
                "assign_form": assign if access.is_bureau(request.user) else None,
                "note_form": note,
            },
        )


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("id", "record_id", "action", "actor", "at", "short_hash")
    list_filter = ("action",)
    list_select_related = ("actor",)
    search_fields = ("=record__id", "hash")
    date_hierarchy = "at"

    @admin.display(description="哈希")
    def short_hash(self, entry):
        return entry.hash[:16]


class ConsequenceRuleInline(admin.TabularInline):
    model = ConsequenceRule
    extra = 0


@admin.register(AssessmentYear)
class AssessmentYearAdmin(RegistryModelAdmin):
    list_display = ("__str__", "closed_at", "closed_by")
    readonly_fields = ("closed_at", "closed_by")
    actions = ["close"]

    def save_model(self, request, obj, form, change):
        services.ensure_year(year=obj.year, by=request.user)

    @admin.action(description="关闭所选学年（重算后冻结结果）")
    def close(self, request, queryset):
        for year in queryset:
            try:
                services.close_year(year=year.year, by=request.user)
                messages.success(request, f"{year}已关闭")
            except ValidationError as error:
                messages.error(request, "；".join(error.messages))


@admin.register(AssessmentPolicy)
class AssessmentPolicyAdmin(RegistryModelAdmin):
    """A policy is never edited: saving the form adds a new version of the year's policy."""

    list_display = (
        "__str__",
        "base_score",
        "positive_cap",
        "grade_a",
        "grade_b",
        "grade_c",
        "created_by",
        "created_at",
    )
    list_filter = ("year",)
    list_select_related = ("created_by",)
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
            name: form.cleaned_data[name]
            for name in form.cleaned_data
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

    def save_related(self, request, form, formsets, change):
        pass


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
    list_select_related = ("school", "teacher", "student")
    search_fields = ("teacher__name", "school__name", "=student__student_number")
    fields = (
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

    @admin.display(description="对象")
    def subject_display(self, result):
        if result.student_id:
            return f"学生 {result.student.masked_name}"
        return str(result.teacher or result.school)

    @admin.display(description="计分说明")
    def explanation_table(self, result):
        lines = result.explanation.get("lines", []) + result.explanation.get("components", [])
        return format_html(
            "<table>{}</table><p>合计 {}</p>",
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                ((line["label"], line.get("date") or "", line["points"]) for line in lines),
            ),
            result.explanation.get("total"),
        )


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ("title", "recipient", "created_at", "read_at")
    list_select_related = ("recipient",)
    search_fields = ("title", "recipient__username")


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = (
        "original_name",
        "record_id",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
    )
    list_select_related = ("uploaded_by",)
