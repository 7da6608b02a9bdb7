from django.urls import path

from evaluations.rounds import views as survey_views

app_name = "survey"

urlpatterns = [
    path("", survey_views.enter, name="enter"),
    path("c/<str:code>/", survey_views.answer_code, name="code"),
    path(
        "p/<int:round_id>/<int:school_id>/<str:token>/", survey_views.answer_public, name="public"
    ),
    path("thanks/", survey_views.thanks, name="thanks"),
    path("tasks/<int:pk>/", survey_views.answer_assignment, name="assignment"),
    path("school/", survey_views.school_home, name="school"),
    path(
        "rounds/<int:pk>/principal/",
        survey_views.principal_evaluations,
        name="principal_evaluations",
    ),
    path("rounds/<int:pk>/codes/", survey_views.generate_codes, name="generate_codes"),
    path("rounds/<int:pk>/sheet/<int:school_id>/", survey_views.code_sheet, name="sheet"),
    path("conduct/<int:round_id>/<int:classroom_id>/", survey_views.conduct, name="conduct"),
]
