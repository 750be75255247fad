"""Leaders' view URLs."""

from django.urls import path

from airgrade.platform.targets import views

app_name = "targets"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("workbook.xlsx", views.workbook, name="workbook"),
]
