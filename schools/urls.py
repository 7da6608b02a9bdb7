from django.urls import path

from schools import views

app_name = "schools"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("teachers/", views.teacher_list, name="teachers"),
    path("students/", views.student_list, name="students"),
    path("records/", views.record_list, name="records"),
    path("records/new/", views.propose_record, name="propose_record"),
    path("records/<int:pk>/edit/", views.edit_record, name="edit_record"),
    path("activities/", views.activity_list, name="activities"),
    path("activities/new/", views.activity_new, name="activity_new"),
    path("activities/<int:pk>/", views.activity_detail, name="activity"),
    path("activities/<int:pk>/photos/<int:photo_pk>/", views.activity_photo, name="activity_photo"),
    path("checklist/", views.checklist, name="checklist"),
    path("standing/", views.standing, name="standing"),
    path("eligibility/", views.eligibility, name="eligibility"),
]
