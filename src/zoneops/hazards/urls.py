from django.urls import path

from zoneops.core.ui.generic import crud_urls
from zoneops.hazards import views

app_name = "hazards"
urlpatterns = [
    path("major/", views.MajorHazardListView.as_view(), name="major"),
    path("report/", views.ReportView.as_view(), name="report"),
    path("photos/<int:pk>/", views.PhotoView.as_view(), name="photo"),
    path("<int:pk>/rectify/", views.RectifyView.as_view(), name="hazard_rectify"),
    *crud_urls(
        "rounds",
        "inspectionround",
        list_view=views.InspectionRoundListView,
        detail_view=views.InspectionRoundDetailView,
        edit_view=views.InspectionRoundEditView,
        delete_view=views.InspectionRoundDeleteView,
    ),
    *crud_urls(
        "",
        "hazard",
        list_view=views.HazardListView,
        detail_view=views.HazardDetailView,
        edit_view=views.HazardEditView,
    ),
]
