"""Registry page URLs."""

from django.urls import path

from airgrade.platform.enterprises import views

app_name = "enterprises"
urlpatterns = [
    path("", views.enterprise_list, name="list"),
    path("<int:enterprise_id>/", views.enterprise_detail, name="detail"),
    path("<int:enterprise_id>/edit/", views.enterprise_edit, name="edit"),
    path("sites/<int:site_id>/lines/add/", views.line_add, name="line_add"),
    path("lines/<int:line_id>/edit/", views.line_edit, name="line_edit"),
]
