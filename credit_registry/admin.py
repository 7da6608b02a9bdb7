"""The registry's own admin pages (users, login lockouts, the official calendar). The site itself
— its door, workbench and navigation — is ``credit_registry.admin_site``.

A bureau admin may do whatever a page offers; an inspector sees what ``access`` scopes for them
and adds only where a page says so (credit records, notes on their clues). Django's per-model permissions are
not used: the four role groups carry none, the role decides.
"""

from axes.utils import reset as axes_reset
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, SetUnusablePasswordMixin
from django.contrib.auth.models import Group, User
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from credit_registry import access, views
from credit_registry.access import Role
from credit_registry.admin_bases import RegistryModelAdmin
from credit_registry.common.workdays import day_line, parse_notice
from credit_registry.models import HolidayDay, HolidayYear, LoginLock
from evaluations.disputes import services as dispute_services

# --- users ------------------------------------------------------------------------------------

# The four role groups are fixed by migration and given to users on the user page.
admin.site.unregister(Group)
admin.site.unregister(User)

ROLE_GROUPS = (Role.BUREAU_ADMIN, Role.INSPECTOR, Role.PRINCIPAL, Role.TEACHER)


class RoleFilter(admin.SimpleListFilter):
    title = _("角色")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return [(role.value, access.ROLE_LABELS[role]) for role in ROLE_GROUPS]

    def queryset(self, request, queryset):
        if self.value() in {role.value for role in ROLE_GROUPS}:
            return queryset.filter(groups__name=self.value())
        return queryset


# Django's own text (its Chinese is in locale/zh_Hans): Django joins it, untranslated, to a
# translated help text when its module is imported, which fixes that text in the language of
# that moment. Joined lazily here, both follow the reader's language.
UNUSABLE_PASSWORD_WARNING = "If disabled, the current password for this user will be lost."


class PasswordChangeForm(AdminPasswordChangeForm):
    usable_password_help_text = format_lazy(
        '{}<ul id="id_unusable_warning" class="messagelist"><li class="warning">{}</li></ul>',
        SetUnusablePasswordMixin.usable_password_help_text,
        _(UNUSABLE_PASSWORD_WARNING),
    )


@admin.register(User)
class RegistryUserAdmin(UserAdmin):
    """Django's user page with the registry role in the list; the bureau's only."""

    change_password_form = PasswordChangeForm
    list_display = ("username", "full_name", "role", "email", "is_active", "last_login")
    list_filter = (RoleFilter, "is_active")
    list_per_page = 50

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("groups")
            .select_related("school_account__school", "teacher")
        )

    @admin.display(description=_("姓名"), ordering="last_name")
    def full_name(self, user):
        return user.get_full_name()

    @admin.display(description=_("角色"))
    def role(self, user):
        names = {group.name for group in user.groups.all()}
        for role in ROLE_GROUPS:
            if role in names:
                return access.ROLE_LABELS[role]
        if user.is_superuser:
            return gettext("超级用户")
        return "—"

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # A bureau admin manages roles; making superusers or granting raw permissions is
            # left to whoever operates the installation.
            readonly += ["is_superuser", "user_permissions"]
        return readonly

    def has_module_permission(self, request):
        return access.is_bureau(request.user)

    def has_view_permission(self, request, obj=None):
        return access.is_bureau(request.user)

    def has_add_permission(self, request):
        return access.is_bureau(request.user)

    def has_change_permission(self, request, obj=None):
        return access.is_bureau(request.user)

    def has_delete_permission(self, request, obj=None):
        return access.is_bureau(request.user)


# Report batches and issued documents register themselves on the same base classes.
from credit_registry import admin_reports  # noqa: E402, F401  (registers the report pages)

# --- login lockouts (登录锁定): bureau staff unlock an account or an address ---------------------

# axes' own pages stay for superusers; the bureau works in this one.


@admin.action(description=_("解除锁定（账号及其登录地址）"))
def unlock(modeladmin, request, queryset):
    attempts = list(queryset)
    for attempt in attempts:
        axes_reset(username=attempt.username)
        if attempt.ip_address:
            views.LOGIN_FAILURES.reset(attempt.ip_address)
    messages.success(
        request,
        gettext("已解除%(count)d个账号的登录锁定：%(names)s")
        % {"count": len(attempts), "names": "、".join(sorted({a.username for a in attempts}))},
    )


@admin.register(LoginLock)
class LoginLockAdmin(RegistryModelAdmin):
    """Failed logins as django-axes records them: an account with five failures is locked for
    15 minutes, an address with 20 failures for the rest of the hour. Unlocking clears both."""

    list_display = ("username", "ip_address", "failures_since_start", "attempt_time")
    search_fields = ("username",)
    ordering = ("-attempt_time",)
    fields = ("username", "ip_address", "user_agent", "failures_since_start", "attempt_time")
    readonly_fields = fields
    actions = [unlock]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- the official calendar (节假日安排) --------------------------------------------------------


class HolidayYearForm(forms.ModelForm):
    """A year's arrangement as the State Council's notice gives it, one day a line."""

    days_text = forms.CharField(
        label=_("节假日安排（每行一天）"),
        widget=forms.Textarea(attrs={"rows": 14, "cols": 50}),
        help_text=_(
            "例：2027-01-01 休 元旦；2027-02-07 班 春节调休。保存即确认，并重算处于暂定状态的异议办理期限。"
        ),
    )

    class Meta:
        model = HolidayYear
        fields = ("year", "notice")

    def clean(self):
        data = super().clean()
        year, text = data.get("year"), data.get("days_text") or ""
        try:
            days = parse_notice(text)
        except ValueError as error:
            self.add_error("days_text", str(error))
            return data
        stray = sorted(day for day in days if year and day.year != year)
        if stray:
            self.add_error(
                "days_text",
                gettext("%(day)s不在%(year)s年内") % {"day": f"{stray[0]:%Y-%m-%d}", "year": year},
            )
        if not (data.get("notice") or "").strip():
            self.add_error("notice", _("请填写通知文号"))
        return data

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["days_text"].initial = "\n".join(
                day_line(d.date, d.is_workday, d.name) for d in self.instance.days.all()
            )


class HolidayDayInline(admin.TabularInline):
    model = HolidayDay
    fields = ("date", "is_workday", "name")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(HolidayYear)
class HolidayYearAdmin(RegistryModelAdmin):
    """The bureau keeps the calendar here; a year is confirmed by entering its notice."""

    form = HolidayYearForm
    list_display = ("year", "notice", "source", "confirmed_at", "confirmed_by")
    readonly_fields = ("source", "confirmed_at", "confirmed_by")
    inlines = [HolidayDayInline]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        recounted = dispute_services.confirm_holiday_year(
            year=data["year"], text=data["days_text"], notice=data["notice"], by=request.user
        )
        found = HolidayYear.objects.get(year=data["year"])
        obj.pk, obj._state.adding = found.pk, False
        obj.refresh_from_db()
        messages.success(
            request,
            gettext("%(year)s年节假日安排已确认，重算了%(count)s件异议的办理期限")
            % {"year": obj.year, "count": recounted},
        )

    def save_related(self, request, form, formsets, change):
        pass  # the days are written by the service from the notice's list
