from django.urls import path

from zoneops.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.NotificationListView.as_view(), name="notification_list"),
    path("<int:pk>/", views.NotificationOpenView.as_view(), name="notification_open"),
    path("bell/", views.BellView.as_view(), name="bell"),
]
