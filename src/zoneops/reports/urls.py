from django.urls import path

from zoneops.core.ui.generic import crud_urls
from zoneops.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("rollups/rebuild/", views.rebuild_rollups, name="rebuild_rollups"),
    path("packs/make/", views.make_pack, name="make_pack"),
    path("packs/<int:pk>/issue/", views.issue, name="pack_issue"),
    path("packs/<int:pk>/decision/", views.record_decision, name="pack_decision"),
    path("packs/<int:pk>/<str:fmt>/", views.download, name="pack_download"),
    *crud_urls(
        "packs",
        "dispatchpack",
        list_view=views.DispatchPackListView,
        detail_view=views.DispatchPackDetailView,
    ),
]
