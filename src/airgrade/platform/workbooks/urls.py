from django.urls import path

from airgrade.platform.workbooks import views

app_name = "workbooks"
urlpatterns = [
    path("", views.index, name="index"),
    path("import", views.start_import, name="import"),
    path("import/<int:job_id>/commit", views.commit_import, name="commit"),
    path("templates/<str:kind>.xlsx", views.template, name="template"),
    path("export/emergency-list.xlsx", views.export_emergency_list, name="export_emergency_list"),
    path("export/<slug:kind>.xlsx", views.official_export, name="official"),
    path("opinions/<int:declaration_id>/<slug:kind>.docx", views.review_opinion, name="opinion"),
]
