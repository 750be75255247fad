"""Gate ledger page URLs (issue 11)."""

from django.urls import path

from airgrade.platform.gates import views

app_name = "gates"
urlpatterns = [
    path("", views.site_list, name="list"),
    path("parks/new/", views.park_new, name="park_new"),
    path("sites/<int:site_id>/", views.site_detail, name="site"),
    path("sites/<int:site_id>/act/", views.site_act, name="act"),
    path("sites/<int:site_id>/alerts/<int:event_id>/", views.alert_check, name="alert"),
]
