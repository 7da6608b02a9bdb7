"""Admin pages for reports: batches made in the background (with their progress and the zip to
download) and the register of every document issued with a verification code.

Imported from ``credit_registry/admin.py``; both pages are the bureau's only.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from credit_registry import access
from credit_registry.admin_bases import (
    ReadOnlyAdmin,
    RegistryModelAdmin,
    academic_year_column,
    person_column,
)
from credit_registry.audit import log_batch_download
from credit_registry.models import AccessLog, BatchStatus, IssuedDocument, ReportBatch
from credit_registry.report_tasks import start_batch
from credit_registry.reports.documents import public_base_url


class ReportBatchForm(forms.ModelForm):
    class Meta:
        model = ReportBatch
        fields = ["kind", "school", "year"]


@admin.register(ReportBatch)
class ReportBatchAdmin(RegistryModelAdmin):
    form = ReportBatchForm
    cached_list = False  # progress moves in the worker
    list_display = (
        "id",
        "kind",
        "school",
        academic_year_column(),
        "status",
        "progress",
        person_column(ReportBatch, "created_by"),
        "created_at",
        "download",
    )
    list_display_links = ("id", "kind")
    list_filter = ("status", "kind")
    list_select_related = ("school", "created_by")
    readonly_fields = (
        "status",
        "progress",
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
        "download",
        "task_id",
        "error",
    )
    autocomplete_fields = ()
    change_list_template = "reports/admin_batch_change_list.html"

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["kind", "school", "year"]
        return ["kind", "school", "year", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("kind", "school", "year", *self.readonly_fields)

    def has_change_permission(self, request, obj=None):
        return False  # a batch is started, watched and downloaded, never edited

    @admin.display(description=_("进度"))
    def progress(self, batch: ReportBatch):
        return format_html(
            '<progress value="{}" max="{}" style="width:8em"></progress> {} / {}（{}%）'
            "<br><small>{}</small>",
            batch.done,
            batch.total or 1,
            batch.done,
            batch.total,
            batch.percent,
            gettext("分%(total)s段同时生成，已完成%(done)s段")
            % {"total": batch.parts_total, "done": batch.parts_done},
        )

    @admin.display(description=_("压缩包"))
    def download(self, batch: ReportBatch):
        if batch.status != BatchStatus.DONE or not batch.zip_file:
            return "—"
        url = reverse("admin:credit_registry_reportbatch_download", args=[batch.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("下载 zip"))

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        created = start_batch(
            kind=data["kind"],
            by=request.user,
            base_url=public_base_url(request),
            school=data.get("school"),
            year=data.get("year"),
        )
        obj.pk = created.pk
        obj.refresh_from_db()
        obj._state.adding = False

    def response_add(self, request, obj, post_url_continue=None):
        messages.success(
            request,
            gettext(
                "批量任务#%(pk)s已排队，将在后台依次生成，进度见下表。如长时间没有进展，请联系系统管理员。"
            )
            % {"pk": obj.pk},
        )
        return self.response_post_save_add(request, obj)

    def changelist_view(self, request, extra_context=None):
        running = ReportBatch.objects.filter(
            status__in=[BatchStatus.QUEUED, BatchStatus.RUNNING]
        ).exists()
        return super().changelist_view(request, {**(extra_context or {}), "refresh": running})

    def delete_model(self, request, obj):
        obj.zip_file.delete(save=False)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for batch in queryset:
            batch.zip_file.delete(save=False)
        super().delete_queryset(request, queryset)

    def get_urls(self):
        return [
            path(
                "<int:pk>/download/",
                self.admin_site.admin_view(self.download_view),
                name="credit_registry_reportbatch_download",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request, pk: int):
        if not access.is_bureau(request.user):
            raise PermissionDenied
        batch = get_object_or_404(ReportBatch, pk=pk, status=BatchStatus.DONE)
        if not batch.zip_file:
            raise Http404
        log_batch_download(request.user, batch)
        response = FileResponse(
            batch.zip_file.open("rb"),
            as_attachment=True,
            filename=batch.zip_file.name.rsplit("/", 1)[-1],
            content_type="application/zip",
        )
        response["Cache-Control"] = "private, no-store"
        return response


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(ReadOnlyAdmin):
    list_display = (
        "display_code",
        "kind",
        "title",
        "subject_description",
        person_column(IssuedDocument, "issued_by"),
        "issued_at",
        "pages",
        "batch",
    )
    list_filter = ("kind",)
    search_fields = ("code", "subject_key", "subject_description")
    list_select_related = ("issued_by", "batch")
    date_hierarchy = "issued_at"

    @admin.display(description=_("验证码"), ordering="code")
    def display_code(self, document: IssuedDocument) -> str:
        return document.display_code

    def get_search_results(self, request, queryset, search_term):
        # People type the code as printed, with dashes; the register stores it without.
        return super().get_search_results(request, queryset, search_term.replace("-", "").upper())


class _AccessRoleFilter(admin.SimpleListFilter):
    """The role a log row was written under, by its name rather than its code."""

    title = _("角色")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return list(access.ROLE_LABELS.items())

    def queryset(self, request, queryset):
        return queryset.filter(role=self.value()) if self.value() else queryset


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    """Who looked at a person's file or exported personal data. Bureau admins only (the base
    class keeps inspectors out): the log itself says who was interested in whom."""

    cached_list = False  # reading pages writes it

    list_display = (
        "at",
        person_column(AccessLog, "user"),
        "role_label",
        "action",
        "subject_description",
        "detail",
    )
    list_filter = ("action", _AccessRoleFilter)
    search_fields = ("subject_key", "subject_description", "user__username")
    list_select_related = ("user",)
    date_hierarchy = "at"

    @admin.display(description=_("角色"), ordering="role")
    def role_label(self, log: AccessLog):
        return access.ROLE_LABELS.get(log.role, log.role)
