from django.urls import path

from zoneops.core.ui.generic import crud_urls
from zoneops.projects import views

app_name = "projects"

urlpatterns = [
    path("board/", views.BoardView.as_view(), name="board"),
    path("lagging/", views.LaggingListView.as_view(), name="lagging"),
    path("without-plan/", views.PlanMissingListView.as_view(), name="plan_missing"),
    path("timeline/", views.TimelineView.as_view(), name="timeline"),
    path("stats/", views.StatsView.as_view(), name="stats"),
    path("map/", views.map_index, name="map_index"),
    path("map/card/", views.map_card, name="map_card"),
    path("map/<int:pk>/", views.map_page, name="map"),
    path("map/<int:pk>/data.json", views.map_data, name="map_data"),
    path("monthly/import/", views.MonthlyImportView.as_view(), name="monthly_import"),
    path("<int:pk>/baseline/", views.set_baseline, name="project_baseline"),
    path("<int:pk>/monthly/", views.record_monthly, name="project_monthly"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    *crud_urls(
        "milestones",
        "milestone",
        list_view=views.MilestoneListView,
        detail_view=views.MilestoneDetailView,
        edit_view=views.MilestoneEditView,
        delete_view=views.MilestoneDeleteView,
    ),
    *crud_urls(
        "blockers",
        "blocker",
        list_view=views.BlockerListView,
        detail_view=views.BlockerDetailView,
        edit_view=views.BlockerEditView,
    ),
    *crud_urls(
        "notes",
        "progressnote",
        list_view=views.ProgressNoteListView,
        detail_view=views.ProgressNoteDetailView,
        edit_view=views.ProgressNoteEditView,
        delete_view=views.ProgressNoteDeleteView,
    ),
    *crud_urls(
        "",
        "project",
        list_view=views.ProjectListView,
        detail_view=views.ProjectDetailView,
        edit_view=views.ProjectEditView,
        delete_view=views.ProjectDeleteView,
        import_view=views.ProjectImportView,
    ),
]
