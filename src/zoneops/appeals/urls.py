from django.urls import path

from zoneops.appeals import views
from zoneops.core.ui.generic import crud_urls

app_name = "appeals"
urlpatterns = [
    path("overdue/", views.OverdueListView.as_view(), name="overdue"),
    path(
        "from-visit/<int:visit_pk>/",
        views.AppealFromVisitView.as_view(),
        name="appeal_from_visit",
    ),
    path("report/", views.ReportView.as_view(), name="report"),
    path(
        "attachments/<int:pk>/",
        views.AttachmentDownloadView.as_view(),
        name="attachment_download",
    ),
    *crud_urls(
        "",
        "appeal",
        list_view=views.AppealListView,
        detail_view=views.AppealDetailView,
        edit_view=views.AppealEditView,
    ),
]
