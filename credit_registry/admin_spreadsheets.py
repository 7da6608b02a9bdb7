"""Import and export in the admin site for bureau staff.

Export goes through django-import-export (xlsx or CSV, the current filters and search, from the
scoped admin queryset). Import has its own two-step page because it must read what schools really
send (GB18030 CSV, WPS xlsx) and be all-or-nothing: upload → preview of what would be created,
updated or left alone, with every problem by row and column → confirm. The uploaded file waits
between the two steps in private storage for at most a day (``credit_registry.import_previews``).
"""

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import SelectableFieldsExportForm

from credit_registry import import_previews, import_tasks
from credit_registry.access import is_bureau
from credit_registry.admin_bases import recall_search
from credit_registry.audit import log_access
from credit_registry.common.spreadsheets import MAX_IMPORT_BYTES
from credit_registry.importing import ImportReport, run_import
from credit_registry.models import AccessAction, ImportStage


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("文件"),
        help_text=gettext_lazy(
            "Excel（.xlsx）或CSV（UTF-8或GBK编码），第一行为列名；请使用下载的模板。"
        ),
    )


class ExportForm(SelectableFieldsExportForm):
    """The columns to export, named in the reader's language. The file keeps its Chinese
    headers whatever the language (they are what an import reads): each resource marks them
    with ``gettext_noop``."""

    def _get_field_label(self, resource, field_name: str) -> str:
        field = resource.fields.get(field_name)
        return capfirst(_(field.column_name)) if field else field_name


class ExcelCSV(CSV):
    """CSV that Excel on a Chinese PC opens as UTF-8: with a byte-order mark."""

    def export_data(self, dataset, **kwargs):
        return "\ufeff" + super().export_data(dataset, **kwargs)


class GB18030CSV(CSV):
    """CSV in GB18030, for older Excel and WPS set-ups and the systems that expect it."""

    CONTENT_TYPE = "text/csv; charset=gb18030"

    def get_title(self):  # how the export form names it; the data is tablib's csv
        return "csv (GB18030)"

    def export_data(self, dataset, **kwargs):
        return dataset.export("csv", **kwargs).encode("gb18030")


EXPORT_FORMATS = {"xlsx": XLSX, "csv": ExcelCSV, "csv-gb18030": GB18030CSV}


def export_filename(title: str, file_format) -> str:
    """学校-2026-12-02.xlsx: the list's Chinese name and today's date."""
    return f"{title}-{timezone.localdate().isoformat()}.{file_format.get_extension()}"


def spreadsheet_response(dataset, *, title: str, file_format) -> HttpResponse:
    """A download of ``dataset`` for a page that is not a model's list (a report's rows)."""
    dataset.title = title[:31]  # the xlsx sheet's name
    response = HttpResponse(
        file_format.export_data(dataset), content_type=file_format.get_content_type()
    )
    response["Content-Disposition"] = content_disposition_header(
        True, export_filename(title, file_format)
    )
    return response


class SpreadsheetAdminMixin(ExportMixin):
    """Mix into a ModelAdmin with ``resource_classes = [SomeRegistryResource]``; a list that is
    only exported sets ``importable = False`` (no import pages)."""

    formats = [XLSX, ExcelCSV, GB18030CSV]
    export_form_class = ExportForm
    importable = True
    import_export_change_list_template = "admin/credit_registry/change_list_spreadsheets.html"
    # Lists of people (and records about them): each export goes into the access log.
    personal_data_models = frozenset(
        {
            "teachers.teacher",
            "students.student",
            "students.guardian",
            "evaluations.creditrecord",
            "evaluations.assessmentresult",
        }
    )

    def has_export_permission(self, request):
        return is_bureau(request.user)

    def has_import_permission(self, request):
        return self.importable and is_bureau(request.user)

    def get_export_queryset(self, request):
        """The list's own filters and search (a kept term included); filters the list does not
        have are a bad request (400), not a server error."""
        recall_search(request)
        try:
            return super().get_export_queryset(request)
        except IncorrectLookupParameters as error:
            raise BadRequest(str(error)) from None

    def get_export_filename(self, request, queryset, file_format):
        return export_filename(str(self.opts.verbose_name_plural), file_format)

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        response = super()._do_file_export(file_format, request, queryset, export_form)
        # A Chinese file name needs RFC 6266's filename*= (the library writes a bare one).
        response["Content-Disposition"] = content_disposition_header(
            True, self.get_export_filename(request, queryset, file_format)
        )
        return response

    def get_data_for_export(self, request, queryset, **kwargs):
        data = super().get_data_for_export(request, queryset, **kwargs)
        data.title = str(self.opts.verbose_name_plural)[:31]  # the xlsx sheet's name
        if self.opts.label_lower in self.personal_data_models:
            log_access(
                request.user,
                AccessAction.EXPORT_PERSONAL_DATA,
                detail=f"{self.opts.label_lower}（{self.opts.verbose_name}）：{len(data)}行",
            )
        return data

    def get_urls(self):
        if not self.importable:
            return super().get_urls()
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name=f"{prefix}_import",
            ),
            path(
                "import/job/<int:pk>/",
                self.admin_site.admin_view(self.import_job_view),
                name=f"{prefix}_import_job",
            ),
            path(
                "import/template/",
                self.admin_site.admin_view(self.template_view),
                name=f"{prefix}_import_template",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": self.has_import_permission(request)}
        return super().changelist_view(request, extra_context)

    @property
    def registry_resource(self):
        return self.resource_classes[0]

    def template_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        content = self.registry_resource.template()
        response = HttpResponse(
            content,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        name = _("%(name)s导入模板.xlsx") % {"name": self.opts.verbose_name}
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return response

    def import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("导入%(name)s") % {"name": self.opts.verbose_name_plural},
            "template_url": reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_import_template"
            ),
        }
        if request.method == "POST" and "token" in request.POST:
            return self._confirm(request, request.POST["token"])
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > MAX_IMPORT_BYTES:
                form.add_error("file", _("文件超过50MB，请使用命令行导入"))
            else:
                raw = upload.read()
                if import_tasks.needs_background(raw, upload.name, self.registry_resource):
                    job = import_tasks.start_import_job(
                        by=request.user,
                        resource_class=self.registry_resource,
                        model_label=self.opts.label,
                        filename=upload.name,
                        file_key=import_previews.keep(raw),
                        stage=ImportStage.PREVIEW,
                    )
                    return redirect(self._job_url(job))
                report = run_import(
                    resource_class=self.registry_resource,
                    raw=raw,
                    filename=upload.name,
                    by=request.user,
                    dry_run=True,
                )
                context["report"] = report
                context["filename"] = upload.name
                if report.ok:
                    context["token"] = self._keep(request, raw, upload.name)
        context["form"] = form
        return TemplateResponse(request, "admin/credit_registry/import.html", context)

    def import_job_view(self, request, pk: int):
        """A background import's page: its progress while it runs (the page refreshes itself),
        then the preview with its confirm button, or the import's outcome."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        jobs = import_tasks.jobs_of(request.user).filter(model_label=self.opts.label)
        job = get_object_or_404(jobs, pk=pk)
        if request.method == "POST":
            try:
                job = import_tasks.confirm_import_job(by=request.user, preview=job)
            except ValueError as error:
                messages.error(request, str(error))
            return redirect(self._job_url(job))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("导入%(name)s") % {"name": self.opts.verbose_name_plural},
            "job": job,
            "report": ImportReport.from_dict(job.report) if job.report else None,
            "import_url": reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import"),
        }
        return TemplateResponse(request, "admin/credit_registry/import_job.html", context)

    def _job_url(self, job) -> str:
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_import_job", args=[job.pk]
        )

    def _keep(self, request, raw: bytes, filename: str) -> str:
        token = import_previews.keep(raw)
        request.session[f"import-{token}"] = {"name": filename, "model": self.opts.label}
        return token

    def _confirm(self, request, token: str):
        meta = request.session.pop(f"import-{token}", None)
        raw = import_previews.take(token) if meta and meta["model"] == self.opts.label else None
        if raw is None:
            messages.error(request, _("预览已过期（超过24小时）或已确认过，请重新上传文件"))
            return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_import")
        report = run_import(
            resource_class=self.registry_resource,
            raw=raw,
            filename=meta["name"],
            by=request.user,
            dry_run=False,
        )
        if report.ok:
            messages.success(
                request,
                _("导入完成：新增%(new)s，更新%(updated)s，未变%(unchanged)s。")
                % {"new": report.new, "updated": report.updated, "unchanged": report.unchanged},
            )
        else:
            messages.error(
                request,
                _("导入失败，未写入任何数据：%(problems)s")
                % {"problems": "；".join(map(str, report.problems[:5]))},
            )
        return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
