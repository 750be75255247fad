"""Declaration page URLs."""

from django.urls import path

from airgrade.platform.declarations import views

app_name = "declarations"
urlpatterns = [
    path("", views.declaration_list, name="list"),
    path("new/", views.declaration_new, name="new"),
    path("<int:declaration_id>/", views.declaration_detail, name="detail"),
    path("<int:declaration_id>/action/", views.declaration_action, name="action"),
    path("<int:declaration_id>/confirm/", views.declaration_confirm, name="confirm"),
    path("<int:declaration_id>/prepare/", views.declaration_prepare, name="prepare"),
    path("<int:declaration_id>/document/", views.declaration_document, name="document"),
    path("<int:declaration_id>/onsite/", views.onsite, name="onsite"),
    path("<int:declaration_id>/evidence/<int:evidence_id>/", views.evidence_download, name="evidence"),
    path("experts/", views.expert_list, name="experts"),
    path("experts/register/", views.expert_register, name="expert_register"),
    path("experts/<int:expert_id>/blacklist/", views.expert_blacklist, name="expert_blacklist"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/<int:campaign_id>/", views.campaign_detail, name="campaign"),
]
