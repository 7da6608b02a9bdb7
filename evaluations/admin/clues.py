"""Complaint clues: intake, assignment, the inspector's work page and closing, through the
clue services."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from credit_registry import access
from credit_registry.admin_bases import (
    Confirmation,
    ReadOnlyAdmin,
    RegistryInline,
    RegistryModelAdmin,
    ask_then_run,
    person_column,
)
from credit_registry.common.errors import error_text
from credit_registry.common.uploads import private_file_response
from evaluations.admin.common import (
    decision_page,
    file_links,
    when_text,
)
from evaluations.clues import services
from evaluations.models import (
    CatalogItem,
    ClueNote,
    CluePhoto,
    ClueStatus,
    ComplaintClue,
)


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


@admin.register(ComplaintClue)
class ComplaintClueAdmin(RegistryModelAdmin):
    """The bureau takes in and assigns clues; an inspector sees the clues assigned to them and
    works them (notes, closing) through the 办理 page."""

    scope = staticmethod(access.clues_visible_to)
    inspector_may_view = True
    list_display = (
        "id",
        "subject_description",
        "channel",
        "received_at",
        "school",
        "teacher",
        "status",
        person_column(ComplaintClue, "assigned_to"),
        "work_link",
    )
    list_display_links = ("id", "subject_description")
    list_filter = ("status", "channel")
    list_select_related = ("assigned_to", "school", "teacher")
    search_fields = (
        "=id",
        "=receipt_number",
        "subject_description",
        "content",
        "school__name",
        "teacher__name",
    )
    autocomplete_fields = ("school",)
    raw_id_fields = ("teacher",)
    date_hierarchy = "received_at"
    readonly_fields = (
        "receipt_number",
        "photo_links",
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

    attached_files_label = _("照片")

    def attached_files(self, clue) -> list[tuple[str, str]]:
        """The complainant's photos: (name, address of the admin's own photo view)."""
        return [
            (
                photo.original_name,
                reverse("admin:evaluations_complaintclue_photo", args=[clue.pk, photo.pk]),
            )
            for photo in clue.photos.all()
        ]

    @admin.display(description=_("照片"))
    def photo_links(self, clue):
        return file_links(self.attached_files(clue) if clue.pk else [])

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
            run=lambda clue, data: services.assign_clue(
                clue=clue, inspector=data["inspector"], by=request.user
            ),
            confirmation=Confirmation(
                title=gettext("分派信访线索"),
                consequence=gettext("所选线索交给一位督查员调查办理，他在工作台上看到它们。"),
                columns=(
                    (gettext("编号"), lambda clue: f"#{clue.pk}"),
                    (gettext("反映对象"), lambda clue: clue.subject_description),
                    (gettext("来源渠道"), lambda clue: clue.get_channel_display()),
                    (gettext("受理时间"), lambda clue: when_text(clue.received_at)),
                    (gettext("状态"), lambda clue: clue.get_status_display()),
                ),
                done=lambda done: gettext("已分派%(count)d条线索") % {"count": len(done)},
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
            path(
                "<int:pk>/photos/<int:photo_pk>/",
                self.admin_site.admin_view(self.photo_view),
                name="evaluations_complaintclue_photo",
            ),
            *super().get_urls(),
        ]

    def photo_view(self, request, pk: int, photo_pk: int):
        """A complainant's photo, to those who see the clue (the bureau, its inspector)."""
        clue = get_object_or_404(self.get_queryset(request), pk=pk)
        photo = get_object_or_404(CluePhoto, pk=photo_pk, clue=clue)
        return private_file_response(
            photo.file, content_type=photo.content_type, filename=photo.original_name
        )

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
                "photos": self.attached_files(clue),
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
        return decision_page(request, self, clue, form, gettext("办结信访线索"))


@admin.register(ClueNote)
class ClueNoteAdmin(ReadOnlyAdmin):
    technical = True
    list_display = ("clue", person_column(ClueNote, "author"), "at", "text")
    list_select_related = ("clue", "author")
    search_fields = ("=clue__id", "text")
    date_hierarchy = "at"


@admin.register(CluePhoto)
class CluePhotoAdmin(ReadOnlyAdmin):
    """Technical: the bureau sees the photos on the clue's own pages."""

    technical = True
    list_display = ("original_name", "clue", "content_type", "size", "uploaded_at")
    list_select_related = ("clue",)
    search_fields = ("=clue__id", "original_name", "=sha256")
