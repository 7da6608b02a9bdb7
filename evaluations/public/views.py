"""Pages anyone may open without an account (SPEC §1, "public"): the red and black lists,
integrity exemplars and activity news, the complaint-clue form and report verification.

Nothing here ever shows a student. Negative lists mask teachers' names; positive lists (red
list, exemplars) name commended teachers and schools in full. The lists come from
``evaluations.assessment.lists`` (which drop records under objection, amended, revoked, repaired
or past their disclosure period) and ``credit_registry.reports.data.exemplars``, and every list
takes the one filter of ``evaluations.public.forms``. Writes go through
the clue services; submissions are rate-limited per client address through the shared
cache, so every app server counts together.
"""

import functools

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from credit_registry.common import cached_pages, generations
from credit_registry.common.client import client_address
from credit_registry.common.ratelimit import RateLimit
from credit_registry.common.years import academic_year_label
from credit_registry.reports import data
from credit_registry.reports.documents import MAX_UPLOAD_BYTES, verify_document
from evaluations.assessment import lists as selectors
from evaluations.clues import selectors as clue_selectors
from evaluations.clues import services
from evaluations.models import PHOTOS_PER_CLUE, AssessmentResult, AssessmentYear, ClueChannel
from evaluations.public.forms import ListFilterForm
from schools.forms import MultipleFileField
from schools.models import School
from schools.selectors import activity_news, activity_photos, public_activities

LIST_PAGE_SIZE = 100
# A cached list page is keyed by what it shows, so it never outlives a change; this only bounds
# how long an unvisited page takes room in the cache.
SHARED_PAGE_SECONDS = 60 * 60
CLUES_PER_HOUR = 5
CLUE_ATTEMPTS_PER_HOUR = 20
VERIFICATIONS_PER_HOUR = 60
STATUS_LOOKUPS_PER_HOUR = 20


CLUE_LIMIT = RateLimit("public-clue", CLUES_PER_HOUR)
CLUE_ATTEMPT_LIMIT = RateLimit("public-clue-attempt", CLUE_ATTEMPTS_PER_HOUR)
VERIFY_LIMIT = RateLimit("public-verify", VERIFICATIONS_PER_HOUR)
# Every lookup counts, a wrong number as much as a right one: numbers cannot be tried in bulk.
STATUS_LIMIT = RateLimit("public-clue-status", STATUS_LOOKUPS_PER_HOUR)
# The receipt number of the clue this browser sent last, for the page that confirms it.
RECEIPT_SESSION_KEY = "public_clue_receipt"


def over_limit(request, limit: RateLimit) -> bool:
    """Count one more hit for the client's address; True once past the limit."""
    return limit.count(client_address(request)) > limit.limit


def index(request):
    return render(request, "public/index.html")


def _page(request, entries):
    return Paginator(entries, LIST_PAGE_SIZE).get_page(request.GET.get("page"))


def _page_of_records(request, records, build):
    """A page of a public list of records: the database counts the list and picks the page's
    ids from an index; only the rows shown are read and built (``build``: queryset -> rows)."""
    page = _page(request, records.values_list("pk", flat=True))
    page.object_list = build(records.filter(pk__in=page.object_list))
    return page


def _filter_form(request, **options) -> ListFilterForm:
    """The shared filter of the public lists, offering the academic years the registry keeps."""
    years = options.pop("years", None)
    if years is None:
        years = list(AssessmentYear.objects.order_by("-year").values_list("year", flat=True))
    return ListFilterForm(request.GET, years=years, **options)


def _record_list(request, template: str, records, build, *, masked: bool, **context):
    """A public list of records (black list, disclosure, exemplars), filtered and paged."""
    form = _filter_form(request)
    criteria = form.criteria()
    records = selectors.filter_list(records, criteria, masked=masked)
    page = _page_of_records(request, records, build)
    context.update(
        page=page, count=page.paginator.count, form=form, query=form.query(), criteria=criteria
    )
    return render(request, template, context)


def _shared(view):
    """A public list as every anonymous visitor sees it, served from the cache until what it is
    computed from changes (``lists.lists_version``: any decision, closed year or change of a
    name; ``generations.PUBLIC_LISTS``: results written, an activity excluded); the page is
    rendered again at the first visit after a decision, never stale."""

    @functools.wraps(view)
    def page(request, *args, **kwargs):
        def render():
            return view(request, *args, **kwargs)

        if request.user.is_authenticated:
            return render()
        return cached_pages.serve(
            request,
            render,
            version=selectors.lists_version,
            counters=[generations.PUBLIC_LISTS],
            seconds=SHARED_PAGE_SECONDS,
            signed_in=False,
        )

    return page


@_shared
def black_list(request):
    form = _filter_form(request)
    institutions = selectors.filter_list(
        selectors.listed_institutions(),
        form.criteria(),
        masked=True,
        year_field="year_id",
        item_field=None,
    )
    office = gettext("%(district)s教育局") % {"district": settings.REGISTRY_DISTRICT_NAME}
    return _record_list(
        request,
        "public/black_list.html",
        selectors.black_list_records(),
        selectors.black_list_entries,
        masked=True,
        institutions=selectors.institution_entries(institutions, office=office),
    )


@_shared
def disclosure(request):
    """失信信息公示: every negative record of a school or teacher within its disclosure period."""
    return _record_list(
        request,
        "public/disclosure.html",
        selectors.disclosure_records(),
        selectors.black_list_entries,
        masked=True,
    )


@_shared
def exemplars(request):
    return _record_list(
        request,
        "public/exemplars.html",
        data.exemplar_records(),
        data.exemplar_entries,
        masked=False,
        news=activity_news(),
    )


@_shared
def red_list(request):
    years = list(
        AssessmentYear.objects.filter(closed_at__isnull=False)
        .order_by("-year")
        .values_list("year", flat=True)
    )
    form = _filter_form(request, years=years, any_year=False)
    criteria = form.criteria()
    year = criteria.year
    results = (
        selectors.filter_list(
            selectors.red_list_results(year),
            criteria,
            masked=False,
            year_field="year_id",
            item_field=None,
        )
        if year is not None
        else AssessmentResult.objects.none()
    )
    counts = results.aggregate(
        schools=Count("id", filter=Q(school__isnull=False)),
        teachers=Count("id", filter=Q(teacher__isnull=False)),
    )
    page = _page(request, results)
    page.object_list = (
        selectors.red_list_entries(page.object_list, year) if year is not None else []
    )
    return render(
        request,
        "public/red_list.html",
        {
            "page": page,
            "count": counts["schools"] + counts["teachers"],
            "schools": counts["schools"],
            "teachers": counts["teachers"],
            "year": year,
            "year_label": academic_year_label(year) if year is not None else "",
            "form": form,
            "query": form.query(),
            "criteria": criteria,
        },
    )


def activity(request, pk: int):
    """An integrity-education activity of the public news: its text and its photos."""
    shown = get_object_or_404(public_activities().select_related("school"), pk=pk)
    return render(
        request,
        "public/activity.html",
        {"activity": shown, "photos": activity_photos(public_activities(), pk)},
    )


def activity_photo(request, pk: int, photo_pk: int):
    """A photo of a public activity; any other photo (or file) is 404, as is an excluded one's."""
    photo = get_object_or_404(activity_photos(public_activities(), pk), pk=photo_pk)
    response = FileResponse(photo.image.open("rb"), content_type=photo.content_type)
    response["Cache-Control"] = "public, max-age=3600"
    return response


class ClueForm(forms.Form):
    school = forms.ModelChoiceField(
        label=_("涉及学校"),
        queryset=School.objects.filter(active=True).order_by("name"),
        required=False,
        empty_label=_("（不确定或不在列表中）"),
    )
    subject_description = forms.CharField(
        label=_("反映对象"),
        max_length=100,
        help_text=_("如学校名称、教师姓名或培训机构名称"),
        error_messages={"required": _("请填写反映对象")},
    )
    content = forms.CharField(
        label=_("反映内容"),
        min_length=10,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=_("请写明时间、地点、经过，便于核查"),
        error_messages={
            "required": _("请填写反映内容"),
            "min_length": _("反映内容太短，请至少写10个字"),
        },
    )
    reporter_name = forms.CharField(label=_("您的姓名（可不填）"), max_length=50, required=False)
    reporter_contact = forms.CharField(
        label=_("联系方式（可不填，便于回访）"), max_length=60, required=False
    )
    photos = MultipleFileField(
        label=_("照片（可不传）"),
        required=False,
        help_text=_("PNG或JPEG，每张不超过10MB，最多3张；请勿拍摄学生面部"),
    )
    # Left empty by people; filled by form-spamming robots, whose posts are then dropped.
    website = forms.CharField(label=_("网址"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photos"].widget.attrs["accept"] = "image/png,image/jpeg"

    def clean_website(self):
        if self.cleaned_data["website"]:
            raise ValidationError(gettext("提交被拒绝"))
        return ""

    def clean_photos(self):
        photos = self.cleaned_data["photos"]
        if len(photos) > PHOTOS_PER_CLUE:
            raise ValidationError(gettext("最多上传%(most)s个文件") % {"most": PHOTOS_PER_CLUE})
        return photos


@require_http_methods(["GET", "POST"])
def complaint(request):
    if request.method == "GET":
        return _complaint_page(request, ClueForm())
    if over_limit(request, CLUE_ATTEMPT_LIMIT):
        return _too_many(request)
    form = ClueForm(request.POST, request.FILES)
    if not form.is_valid():
        return _complaint_page(request, form, status=400)
    if over_limit(request, CLUE_LIMIT):
        return _too_many(request)
    values = form.cleaned_data
    try:
        clue = services.receive_clue(
            channel=ClueChannel.PUBLIC,
            subject_description=values["subject_description"],
            content=values["content"],
            school=values["school"],
            reporter_name=values["reporter_name"],
            reporter_contact=values["reporter_contact"],
            photos=values["photos"],
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _complaint_page(request, form, status=400)
    request.session[RECEIPT_SESSION_KEY] = clue.display_receipt_number
    return redirect("public:complaint_received")


def _complaint_page(request, form: ClueForm, status: int = 200):
    context = {"form": form, "limit": CLUES_PER_HOUR}
    return render(request, "public/complaint.html", context, status=status)


def complaint_received(request):
    receipt = request.session.get(RECEIPT_SESSION_KEY, "")
    return render(request, "public/complaint_received.html", {"receipt_number": receipt})


class ClueStatusForm(forms.Form):
    number = forms.CharField(
        label=_("受理编号"),
        max_length=30,
        help_text=_("提交线索后页面显示的10位受理编号"),
        error_messages={"required": _("请输入受理编号")},
    )


@require_http_methods(["GET", "POST"])
def complaint_status(request):
    """How far a clue has come, by its receipt number: the stage and its date, nothing else."""
    progress = None
    if request.method == "POST":
        if over_limit(request, STATUS_LIMIT):
            return _too_many(request)
        form = ClueStatusForm(request.POST)
        if form.is_valid():
            progress = clue_selectors.clue_progress(form.cleaned_data["number"])
            if progress is None:
                form.add_error("number", gettext("未找到该受理编号，请核对后重新输入"))
    else:
        form = ClueStatusForm()
    status = 400 if form.is_bound and not form.is_valid() else 200
    context = {"form": form, "progress": progress, "limit": STATUS_LOOKUPS_PER_HOUR}
    return render(request, "public/complaint_status.html", context, status=status)


def _too_many(request):
    return render(request, "public/too_many.html", status=429)


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("验证码"),
        max_length=30,
        required=False,
        help_text=_("文书页脚或首页右上角的12位验证码"),
    )
    pdf = forms.FileField(label=_("电子文件（可选，PDF）"), required=False)

    def clean_pdf(self):
        upload = self.cleaned_data.get("pdf")
        if upload is None:
            return None
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(gettext("文件不能超过10MB"))
        content = upload.read()
        if not content.startswith(b"%PDF-"):
            raise ValidationError(gettext("请上传PDF文件"))
        return content

    def clean(self):
        values = super().clean()
        if not values.get("code") and not values.get("pdf") and not self.errors:
            raise ValidationError(gettext("请输入验证码或上传电子文件"))
        return values


@require_http_methods(["GET", "POST"])
def verify(request):
    """Check a presented code (GET ``?code=``, as the QR code links) or code and file (POST)."""
    result = None
    if request.method == "POST" or request.GET.get("code"):
        if over_limit(request, VERIFY_LIMIT):
            return _too_many(request)
        form = (
            VerifyForm(request.POST, request.FILES)
            if request.method == "POST"
            else (VerifyForm({"code": request.GET["code"]}))
        )
        if form.is_valid():
            result = verify_document(code=form.cleaned_data["code"], pdf=form.cleaned_data["pdf"])
    else:
        form = VerifyForm()
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "public/verify.html", {"form": form, "result": result}, status=status)
