from django.urls import path

from airgrade.platform.scorecards import views

app_name = "scorecards"
urlpatterns = [
    path("", views.index, name="index"),
    path("rounds/open/", views.open_round, name="open_round"),
    path("assess/", views.assess, name="assess"),
    path("rounds/<int:score_round_id>/", views.round_page, name="round"),
    path("rounds/<int:score_round_id>/act/", views.round_act, name="round_act"),
    path("<int:scorecard_id>/", views.scorecard_page, name="scorecard"),
    path("<int:scorecard_id>/act/", views.scorecard_act, name="scorecard_act"),
    path("<int:scorecard_id>/sheet.<str:fmt>", views.scorecard_document, name="document"),
]
