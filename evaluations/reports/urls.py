from django.urls import path

from evaluations.reports import views as report_views

app_name = "reports"

urlpatterns = [
    path("", report_views.index, name="index"),
    path("teacher/<int:pk>/", report_views.teacher_file, name="teacher_file"),
    path("teacher/lookup/", report_views.teacher_file_by_id_number, name="teacher_lookup"),
    path("student/<int:pk>/", report_views.student_file, name="student_file"),
    path("student/lookup/", report_views.student_file_by_number, name="student_lookup"),
    path("school/", report_views.school_report, name="school_report"),
    path("district/", report_views.district_report, name="district_report"),
    path("job/<int:pk>/", report_views.job, name="job"),
    path("job/<int:pk>/download/", report_views.job_download, name="job_download"),
]
