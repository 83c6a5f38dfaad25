from django.urls import path

from zoneops.core.ui import calendar_views, views
from zoneops.core.ui.generic import crud_urls

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("zones/boundary.json", views.zone_boundary, name="zone_boundary"),
    *crud_urls(
        "zones",
        "zone",
        list_view=views.ZoneListView,
        detail_view=views.ZoneDetailView,
        edit_view=views.ZoneEditView,
        delete_view=views.ZoneDeleteView,
        import_view=views.ZoneImportView,
    ),
    *crud_urls(
        "departments",
        "department",
        list_view=views.DepartmentListView,
        detail_view=views.DepartmentDetailView,
        edit_view=views.DepartmentEditView,
        delete_view=views.DepartmentDeleteView,
        import_view=views.DepartmentImportView,
    ),
    *crud_urls(
        "audit",
        "objectchange",
        list_view=views.ObjectChangeListView,
        detail_view=views.ObjectChangeDetailView,
    ),
    path("security/", views.SecurityEventListView.as_view(), name="securityevent_list"),
    path("security/unlock/", views.unlock_account, name="unlock_account"),
    path("security/access/", views.grant_access, name="grant_access"),
    path("security/reset-second-factor/", views.reset_second_factor, name="reset_second_factor"),
    path("calendar/", calendar_views.calendar_index, name="calendar"),
    path("calendar/<int:year>/", calendar_views.calendar_year, name="calendar_year"),
    path("calendar/changes/", calendar_views.deadline_changes, name="deadline_changes"),
    *crud_urls(
        "cases", "loopcase", list_view=views.LoopCaseListView, detail_view=views.LoopCaseDetailView
    ),
]
