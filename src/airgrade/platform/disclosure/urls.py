"""Public disclosure URLs."""

from django.urls import path

from airgrade.platform.disclosure import views

app_name = "disclosure"
urlpatterns = [
    path("grades/", views.public_grades, name="grades"),
    path("notices/", views.notices, name="notices"),
    path("objections/new/<int:enterprise_id>/", views.objection_form, name="objection"),
    path("objections/<str:reference>/", views.objection_status, name="objection_status"),
    path("monthly-report/", views.monthly_report, name="monthly"),
]
