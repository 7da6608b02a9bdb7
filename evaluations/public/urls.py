from django.urls import path

from evaluations.public import views as public_views

app_name = "public"

urlpatterns = [
    path("", public_views.index, name="index"),
    path("red-list/", public_views.red_list, name="red_list"),
    path("black-list/", public_views.black_list, name="black_list"),
    path("disclosure/", public_views.disclosure, name="disclosure"),
    path("exemplars/", public_views.exemplars, name="exemplars"),
    path("activities/<int:pk>/", public_views.activity, name="activity"),
    path(
        "activities/<int:pk>/photos/<int:photo_pk>/",
        public_views.activity_photo,
        name="activity_photo",
    ),
    path("complaint/", public_views.complaint, name="complaint"),
    path("complaint/received/", public_views.complaint_received, name="complaint_received"),
    path("complaint/status/", public_views.complaint_status, name="complaint_status"),
    path("verify/", public_views.verify, name="verify"),
]
