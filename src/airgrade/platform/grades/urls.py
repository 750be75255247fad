"""Grade page URLs."""

from django.urls import path

from airgrade.platform.grades import views

app_name = "grades"
urlpatterns = [path("improvement-list.xlsx", views.improvement_list, name="improvement_list")]
