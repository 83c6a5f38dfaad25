from django.urls import path

from zoneops.appeals import views

app_name = "appeals_public"
urlpatterns = [
    path("", views.PublicSubmitView.as_view(), name="submit"),
    path("done/<str:tracking_number>/", views.public_done, name="done"),
    path("status/", views.PublicLookupView.as_view(), name="lookup"),
]
