from django.urls import path

from zoneops.core.ui.generic import crud_urls
from zoneops.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.NotificationListView.as_view(), name="notification_list"),
    path("<int:pk>/", views.NotificationOpenView.as_view(), name="notification_open"),
    path("bell/", views.BellView.as_view(), name="bell"),
    path("routes/<int:pk>/test/", views.RouteTestView.as_view(), name="route_test"),
    path("outbox/dead/", views.DeadLetterView.as_view(), name="dead_letters"),
    path("enterprises/<int:pk>/sms/", views.EnterpriseSmsView.as_view(), name="enterprise_sms"),
    *crud_urls(
        "routes",
        "route",
        list_view=views.RouteListView,
        detail_view=views.RouteDetailView,
        edit_view=views.RouteEditView,
        delete_view=views.RouteDeleteView,
    ),
    *crud_urls(
        "outbox",
        "outboxmessage",
        list_view=views.OutboxListView,
        detail_view=views.OutboxDetailView,
    ),
]
