"""Emergency-list page URLs."""

from django.urls import path

from airgrade.platform.emergency import views

app_name = "emergency"
urlpatterns = [
    path("", views.entry_list, name="list"),
    path("sites/<int:site_id>/<int:year>/edit/", views.entry_edit, name="edit"),
    path("entries/<int:entry_id>/", views.entry_detail, name="detail"),
    path("entries/<int:entry_id>/operation-plan.<str:fmt>", views.operation_plan, name="operation_plan"),
    path("entries/<int:entry_id>/decide/", views.entry_decide, name="decide"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("alerts/", views.alert_list, name="alerts"),
    path("alerts/<int:event_id>/", views.alert_detail, name="alert"),
    path("alerts/<int:event_id>/change/", views.alert_change, name="alert_change"),
    path("tasks/<int:task_id>/act/", views.task_act, name="task_act"),
]
