"""Verification page URLs (issue 12)."""

from django.urls import path

from airgrade.platform.verification import views

app_name = "verification"
urlpatterns = [
    path("", views.index, name="index"),
    path("import/", views.import_page, name="import"),
    path("import/job/", views.import_job, name="import_job"),
    path("alerts/<int:event_id>/", views.alert_page, name="alert"),
    path("alerts/<int:event_id>/run/", views.run, name="run"),
    path("tasks/<int:task_id>/", views.task_page, name="task"),
    path("cases/", views.case_list, name="cases"),
    path("cases/<int:case_id>/decide/", views.decide, name="decide"),
    path("findings/", views.findings, name="findings"),
    path("findings/run/", views.run_crosscheck, name="run_crosscheck"),
    path("findings/<int:finding_id>/", views.finding_page, name="finding"),
    path("findings/<int:finding_id>/decide/", views.decide_finding, name="decide_finding"),
    path("meters/", views.meter_register, name="meters"),
    path("meters/import/", views.meter_import, name="meter_import"),
]
