"""Grade page URLs: registry and history, rectification orders, dynamic adjustment, 回头看, the 附件3 workbook."""

from django.urls import path

from airgrade.platform.grades import views

app_name = "grades"
urlpatterns = [
    path("", views.registry, name="registry"),
    path("improvement-list.xlsx", views.improvement_list, name="improvement_list"),
    path("sites/<int:site_id>/", views.site_history, name="history"),
    path("sites/<int:site_id>/downgrade/", views.downgrade, name="downgrade"),
    path("sites/<int:site_id>/rectify/", views.rectification_new, name="rectification_new"),
    path("rectifications/", views.rectifications, name="rectifications"),
    path("rectifications/<int:order_id>/", views.rectification, name="rectification"),
    path("rectifications/<int:order_id>/<str:step>/", views.rectification_step, name="rectification_step"),
    path("adjustment/", views.adjustment, name="adjustment"),
    path("adjustment/open/", views.adjustment_open, name="adjustment_open"),
    path("lookbacks/", views.lookbacks, name="lookbacks"),
    path("lookbacks/start/", views.lookback_start, name="lookback_start"),
    path("lookbacks/<int:round_id>/", views.lookback, name="lookback"),
    path("lookbacks/<int:round_id>/problems/", views.lookback_problems, name="lookback_problems"),
    path("lookbacks/items/<int:item_id>/<str:step>/", views.lookback_item_step, name="lookback_item"),
]
