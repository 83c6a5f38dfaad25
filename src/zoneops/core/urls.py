from django.urls import path

from zoneops.core import views

app_name = "core"


def crud(prefix: str, name: str, list_view, detail, edit, delete, import_view=None):
    patterns = [
        path(f"{prefix}/", list_view.as_view(), name=f"{name}_list"),
        path(f"{prefix}/add/", edit.as_view(), name=f"{name}_add"),
        path(f"{prefix}/<int:pk>/", detail.as_view(), name=f"{name}_detail"),
        path(f"{prefix}/<int:pk>/edit/", edit.as_view(), name=f"{name}_edit"),
        path(f"{prefix}/<int:pk>/delete/", delete.as_view(), name=f"{name}_delete"),
    ]
    if import_view is not None:
        patterns.append(path(f"{prefix}/import/", import_view.as_view(), name=f"{name}_import"))
    return patterns


urlpatterns = [
    path("", views.home, name="home"),
    *crud(
        "zones",
        "zone",
        views.ZoneListView,
        views.ZoneDetailView,
        views.ZoneEditView,
        views.ZoneDeleteView,
        views.ZoneImportView,
    ),
    *crud(
        "departments",
        "department",
        views.DepartmentListView,
        views.DepartmentDetailView,
        views.DepartmentEditView,
        views.DepartmentDeleteView,
        views.DepartmentImportView,
    ),
    path("audit/", views.ObjectChangeListView.as_view(), name="objectchange_list"),
    path("audit/<int:pk>/", views.ObjectChangeDetailView.as_view(), name="objectchange_detail"),
    path("cases/", views.LoopCaseListView.as_view(), name="loopcase_list"),
    path("cases/<int:pk>/", views.LoopCaseDetailView.as_view(), name="loopcase_detail"),
]
