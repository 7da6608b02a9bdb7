from django.urls import path

from evaluations.records import views

urlpatterns = [
    path("records/<int:pk>/", views.record_detail, name="record_detail"),
    path("records/<int:pk>/submit/", views.submit_record, name="record_submit"),
    path("records/<int:pk>/withdraw/", views.withdraw_record, name="record_withdraw"),
    path("records/<int:pk>/object/", views.object_to_record, name="record_object"),
    path("records/<int:pk>/repair/", views.apply_for_repair, name="record_repair"),
    path(
        "records/<int:pk>/evidence/<int:evidence_pk>/",
        views.evidence_file,
        name="record_evidence",
    ),
    path(
        "objections/<int:pk>/files/<int:file_pk>/",
        views.dispute_file,
        {"kind": "objection"},
        name="objection_file",
    ),
    path(
        "repairs/<int:pk>/files/<int:file_pk>/",
        views.dispute_file,
        {"kind": "repair"},
        name="repair_file",
    ),
    path("notices/", views.notices, name="notices"),
]
