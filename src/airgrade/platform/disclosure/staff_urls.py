"""The city's handling of public objections (举报办理): list, one objection, investigate and publish the result."""

from django.urls import path

from airgrade.platform.disclosure import views

app_name = "objections"
urlpatterns = [
    path("", views.staff_objections, name="list"),
    path("<int:objection_id>/", views.staff_objection, name="detail"),
    path("<int:objection_id>/<str:step>/", views.staff_objection_step, name="step"),
]
