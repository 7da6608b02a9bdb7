"""The bureau's queues for objections and repair applications: each decision through the
disputes services, on a page that asks for the reason."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from credit_registry import access
from credit_registry.admin_bases import (
    Confirmation,
    ReadOnlyAdmin,
    RegistryModelAdmin,
    ask_then_run,
    person_column,
)
from credit_registry.common.errors import error_text
from evaluations.admin.common import (
    ReasonForm,
    decision_page,
    file_links,
    record_anchor,
    subject_label,
    who_text,
)
from evaluations.disputes import selectors, services
from evaluations.models import (
    CatalogItem,
    Objection,
    ObjectionEvidence,
    ObjectionStatus,
    RepairApplication,
    RepairEvidence,
    RepairStatus,
)


class DeadlineFilter(admin.SimpleListFilter):
    """The workbench's objection queues, with the same selectors behind each choice."""

    title = _("办理期限")
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [
            ("open", _("处理中")),
            ("soon", _("两个工作日内到期")),
            ("overdue", _("已超期")),
            ("in_time", _("未超期")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        overdue = selectors.overdue_objections(today)
        if self.value() == "open":
            return queryset.filter(status=ObjectionStatus.OPEN)
        if self.value() == "soon":
            return queryset.filter(pk__in=selectors.objections_due_soon(today).values("pk"))
        if self.value() == "overdue":
            return queryset.filter(pk__in=overdue.values("pk"))
        if self.value() == "in_time":
            return queryset.exclude(pk__in=overdue.values("pk"))
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
    # The portal's view that serves the files filed with the object (the subject's evidence).
    file_url_name = ""
    attached_files_label = _("提交的证明材料")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("evidence")

    def attached_files(self, obj) -> list[tuple[str, str]]:
        """The files the subject filed: (name, address), in the order they were uploaded."""
        return [
            (f.original_name, reverse(self.file_url_name, args=[obj.pk, f.pk]))
            for f in obj.evidence.all()
        ]

    @admin.display(description=_("证明材料"))
    def files_link(self, obj):
        return file_links(self.attached_files(obj))

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
        return record_anchor(obj.record)

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
        return decision_page(request, self, obj, form, self.decide_label)


@admin.register(Objection)
class ObjectionAdmin(DecidedByServiceAdmin):
    decision_form = ObjectionDecisionForm
    decide_label = _("处理异议")
    open_status = ObjectionStatus.OPEN
    file_url_name = "objection_file"
    list_display = (
        "id",
        "record_link",
        person_column(Objection, "filed_by"),
        "filed_at",
        "due",
        "overdue",
        "status",
        "files_link",
        "decide_link",
    )
    list_filter = ("status", DeadlineFilter)

    @admin.display(description=_("办理期限"), ordering="due_on")
    def due(self, objection):
        if objection.due_provisional:
            return format_html(
                "{} <small>{}</small>",
                date_format(objection.due_on, "Y-m-d"),
                _("（暂按周一至周五计算）"),
            )
        return date_format(objection.due_on, "Y-m-d")

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

    def _decide_selected(self, request, queryset, outcome, confirmation):
        return ask_then_run(
            self,
            request,
            queryset,
            form_class=ReasonForm,
            run=lambda objection, data: services.decide_objection(
                objection=objection, by=request.user, outcome=outcome, reason=data["reason"]
            ),
            confirmation=confirmation,
        )

    @staticmethod
    def _columns():
        return (
            (_("异议"), lambda o: f"#{o.pk}"),
            (_("信用记录"), lambda o: f"#{o.record_id} {o.record.item.name}"),
            (_("对象"), lambda o: subject_label(o.record)),
            (_("分值"), lambda o: f"{o.record.points:+.2f}"),
            (_("提出人"), lambda o: who_text(o.filed_by)),
            (_("异议理由"), lambda o: o.reason),
            (_("办理期限"), lambda o: date_format(o.due_on, "Y-m-d")),
        )

    @admin.action(description=_("维持原记录（异议不成立）"), permissions=["decide"])
    def uphold(self, request, queryset):
        return self._decide_selected(
            request,
            queryset,
            ObjectionStatus.UPHELD,
            Confirmation(
                title=gettext("维持原记录"),
                consequence=gettext("异议不成立，记录继续公示，提出人收到决定和理由。"),
                irreversible=gettext("决定写入信用账本，作出后不能撤回。"),
                columns=self._columns(),
                done=lambda done: (
                    gettext("已决定%(count)d件异议：维持原记录") % {"count": len(done)}
                ),
            ),
        )

    @admin.action(description=_("撤销记录（异议成立）"), permissions=["decide"])
    def revoke(self, request, queryset):
        return self._decide_selected(
            request,
            queryset,
            ObjectionStatus.REVOKED,
            Confirmation(
                title=gettext("撤销记录"),
                consequence=gettext("异议成立，记录撤销、不再公示，得分和等级随即重算。"),
                irreversible=gettext("决定写入信用账本，作出后不能撤回。"),
                columns=self._columns(),
                done=lambda done: gettext("已决定%(count)d件异议：撤销记录") % {"count": len(done)},
            ),
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
    file_url_name = "repair_file"
    list_display = (
        "id",
        "record_link",
        person_column(RepairApplication, "applicant"),
        "applied_at",
        "proof_kind",
        "status",
        person_column(RepairApplication, "decided_by"),
        "files_link",
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

    def _decide_selected(self, request, queryset, approve, title, consequence):
        return ask_then_run(
            self,
            request,
            queryset,
            form_class=ReasonForm,
            run=lambda application, data: services.decide_repair(
                application=application, by=request.user, approve=approve, reason=data["reason"]
            ),
            confirmation=Confirmation(
                title=title,
                consequence=consequence,
                irreversible=gettext("审核决定写入信用账本，作出后不能撤回。"),
                columns=(
                    (_("申请"), lambda a: f"#{a.pk}"),
                    (_("信用记录"), lambda a: f"#{a.record_id} {a.record.item.name}"),
                    (_("对象"), lambda a: subject_label(a.record)),
                    (_("申请人"), lambda a: who_text(a.applicant)),
                    (_("整改证明类型"), lambda a: a.get_proof_kind_display()),
                    (_("整改情况说明"), lambda a: a.proof),
                ),
                done=lambda done: (
                    gettext("已审核%(count)d件信用修复申请：%(title)s")
                    % {"count": len(done), "title": title}
                ),
            ),
        )

    @admin.action(description=_("批准修复"), permissions=["decide"])
    def approve_repair(self, request, queryset):
        return self._decide_selected(
            request,
            queryset,
            True,
            gettext("批准信用修复"),
            gettext("记录标记为已修复、不再公示，得分和等级随即重算。"),
        )

    @admin.action(description=_("不予批准修复"), permissions=["decide"])
    def refuse_repair(self, request, queryset):
        return self._decide_selected(
            request,
            queryset,
            False,
            gettext("不予批准信用修复"),
            gettext("记录照常公示，申请人可以看到审核意见。"),
        )


@admin.register(ObjectionEvidence)
class ObjectionEvidenceAdmin(ReadOnlyAdmin):
    """Technical: the bureau reaches these files from the objection's list and decide page."""

    technical = True
    list_display = ("original_name", "objection", "content_type", "size", "uploaded_at")
    list_select_related = ("objection__record__item",)
    search_fields = ("=objection__id", "original_name", "=sha256")


@admin.register(RepairEvidence)
class RepairEvidenceAdmin(ReadOnlyAdmin):
    """Technical: the bureau reaches these files from the application's list and decide page."""

    technical = True
    list_display = ("original_name", "application", "content_type", "size", "uploaded_at")
    list_select_related = ("application__record__item",)
    search_fields = ("=application__id", "original_name", "=sha256")
