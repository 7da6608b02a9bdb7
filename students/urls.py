from django.urls import path

from students import views

app_name = "students"

urlpatterns = [
    path("<int:pk>/", views.student_file, name="file"),
    path("<int:pk>/transfer/", views.transfer, name="transfer"),
    path("<int:pk>/place/", views.place, name="place"),
    path("<int:pk>/parent-code/", views.parent_code, name="parent_code"),
    path("class/", views.my_class, name="my_class"),
    path(
        "class/<int:classroom_id>/parent-codes/",
        views.class_parent_codes,
        name="class_parent_codes",
    ),
    path("pledges/", views.pledge_list, name="pledges"),
    path("pledges/<int:pk>/", views.pledge_slips, name="pledge"),
    path("sign/", views.sign, name="sign"),
    path("parent/", views.parent_enter, name="parent"),
    path("parent/file/", views.parent_file, name="parent_file"),
    path("parent/exit/", views.parent_exit, name="parent_exit"),
]
