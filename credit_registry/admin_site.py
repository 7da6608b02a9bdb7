"""The admin site is the bureau's workplace: its door, its workbench (the index page) and its
navigation, grouped by the bureau's tasks rather than by Django app.

Who may enter, and what each page lists, is decided by ``credit_registry.access``. Only active
bureau admins and inspectors enter (``is_staff`` alone is not enough). The site is installed as
Django's default admin site by ``credit_registry.apps.RegistryAdminConfig``.
"""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from credit_registry import access, calendar, freshness, views
from credit_registry.admin_workbench import workbench_context


class RegistryAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin login asks for a staff role, not for Django's ``is_staff`` flag, so the door
    and the login form agree on who may enter."""

    def confirm_login_allowed(self, user):
        AuthenticationForm.confirm_login_allowed(self, user)
        if access.role_of(user) not in access.STAFF_ROLES:
            raise ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


# The navigation, by task. A model not named here is technical: listed for superusers only,
# under the last heading.
NAVIGATION = (
    (
        "work",
        _("日常办理"),
        (
            "evaluations.creditrecord",
            "evaluations.objection",
            "evaluations.repairapplication",
            "evaluations.complaintclue",
        ),
    ),
    (
        "registers",
        _("学校、教师和学生名册"),
        (
            "schools.school",
            "teachers.teacher",
            "students.student",
            "students.classroom",
            "students.guardian",
            "students.enrolment",
            "teachers.posting",
            "teachers.degree",
            "schools.schoolaccount",
            "schools.leadinggroupmember",
        ),
    ),
    (
        "schoolwork",
        _("诚信建设"),
        (
            "schools.integrityactivity",
            "schools.operationchecklist",
            "students.pledge",
            "students.parentcode",
        ),
    ),
    (
        "rounds",
        _("诚信测评"),
        (
            "evaluations.evaluationround",
            "evaluations.questionnaire",
            "evaluations.raterassignment",
            "evaluations.accesscode",
        ),
    ),
    (
        "assessment",
        _("年度考核"),
        (
            "evaluations.assessmentyear",
            "evaluations.assessmentpolicy",
            "evaluations.consequencerule",
            "evaluations.assessmentresult",
        ),
    ),
    (
        "reports",
        _("报告与文书"),
        ("credit_registry.reportbatch", "credit_registry.issueddocument"),
    ),
    (
        "settings",
        _("设置与安全"),
        (
            "evaluations.catalogitem",
            "credit_registry.holidayyear",
            "auth.user",
            "credit_registry.loginlock",
            "credit_registry.accesslog",
        ),
    ),
)
TECHNICAL = ("technical", _("技术数据（仅超级用户）"))


def _model_key(model_entry) -> str:
    model = model_entry["model"]
    return f"{model._meta.app_label}.{model._meta.model_name}"


def group_by_task(app_list: list[dict]) -> list[dict]:
    """Django's per-app list regrouped under the bureau's headings, in NAVIGATION's order.
    Models outside NAVIGATION go under the technical heading (Django lists them only to those
    allowed to see them, which for the registry's own technical pages means superusers)."""
    entries = {_model_key(entry): entry for app in app_list for entry in app["models"]}
    groups = []
    for key, label, model_keys in NAVIGATION:
        models = [entries.pop(model_key) for model_key in model_keys if model_key in entries]
        if models:
            groups.append(_group(key, label, models))
    if entries:
        groups.append(_group(*TECHNICAL, list(entries.values())))
    return groups


def _group(key, label, models) -> dict:
    return {
        "name": label,
        "app_label": key,
        "app_url": f"{reverse('admin:index')}#{key}",
        "has_module_perms": True,
        "models": models,
    }


class RegistryAdminSite(admin.AdminSite):
    site_header = f"{settings.REGISTRY_DISTRICT_NAME}{settings.REGISTRY_SITE_TITLE}"
    site_title = settings.REGISTRY_SITE_TITLE
    index_title = _("局机关工作台")
    index_template = "admin/workbench.html"
    login_form = RegistryAdminAuthenticationForm
    # The navigation lives on the workbench; lists get the whole width of a 1366 px screen.
    enable_nav_sidebar = False

    def has_permission(self, request) -> bool:
        """Who may enter the admin site at all: active bureau admins and inspectors."""
        user = request.user
        return user.is_active and access.role_of(user) in access.STAFF_ROLES

    def login(self, request, extra_context=None):
        return views.login_guard(super().login)(request, extra_context)

    def each_context(self, request):
        """Every admin page: from 1 November, a reminder when next year's calendar is
        missing."""
        context = super().each_context(request)
        if access.is_bureau(request.user):
            context["calendar_missing_year"] = calendar.next_year_missing()
        return context

    def get_app_list(self, request, app_label=None):
        app_list = super().get_app_list(request, app_label)
        return app_list if app_label else group_by_task(app_list)

    def index(self, request, extra_context=None):
        """The workbench: what waits, the year at a glance, the annual cycle in order."""
        request.current_app = self.name

        def page():
            context = {
                **self.each_context(request),
                "title": self.index_title,
                "subtitle": None,
                "app_list": self.get_app_list(request),
                **workbench_context(request),
                **(extra_context or {}),
            }
            return TemplateResponse(request, self.index_template, context)

        return freshness.page(request, page)
