from django.urls import path

from teachers import views

app_name = "teachers"

urlpatterns = [
    path("", views.my_file, name="my_file"),
    path("evaluations/", views.evaluations, name="evaluations"),
    path("<int:pk>/file/", views.teacher_file, name="file"),
]
