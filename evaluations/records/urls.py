from django.urls import path

from evaluations.disputes import views as dispute_views
from evaluations.records import views as record_views

urlpatterns = [
    path("records/<int:pk>/", record_views.record_detail, name="record_detail"),
    path("records/<int:pk>/object/", dispute_views.object_to_record, name="record_object"),
    path("records/<int:pk>/repair/", dispute_views.apply_for_repair, name="record_repair"),
    path(
        "records/<int:pk>/evidence/<int:evidence_pk>/",
        record_views.evidence_file,
        name="record_evidence",
    ),
    path("notices/", record_views.notices, name="notices"),
]
