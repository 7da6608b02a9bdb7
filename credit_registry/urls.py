from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from credit_registry import views

admin.site.site_header = f"{settings.REGISTRY_DISTRICT_NAME}{settings.REGISTRY_SITE_TITLE}"
admin.site.site_title = settings.REGISTRY_SITE_TITLE
admin.site.index_title = "局机关工作台"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_guard(auth_views.LoginView.as_view()), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("portal/", views.portal, name="portal"),
    path("", include("evaluations.records.urls")),
    path("teacher/", include("teachers.urls")),
    path("school/", include("schools.urls")),
    path("students/", include("students.urls")),
    path("public/", include("evaluations.public.urls")),
    path("survey/", include("evaluations.rounds.urls")),
    path("reports/", include("evaluations.reports.urls")),
]
