from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from credit_registry import views

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
