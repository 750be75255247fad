from django.urls import path

from airgrade.platform.jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("<int:job_id>/", views.job_detail, name="detail"),
    path("<int:job_id>/progress", views.job_progress, name="progress"),
    path("<int:job_id>/cancel", views.job_cancel, name="cancel"),
    path("<int:job_id>/result", views.job_result, name="result"),
]
