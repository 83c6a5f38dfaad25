from django.urls import path

from zoneops.core.ui.generic import crud_urls
from zoneops.investment import views

app_name = "investment"

urlpatterns = [
    path("leads/kanban/", views.KanbanView.as_view(), name="kanban"),
    path("leads/<int:pk>/move/", views.MoveView.as_view(), name="lead_move"),
    path("leads/<int:pk>/follow-up/", views.FollowUpView.as_view(), name="lead_follow_up"),
    path("leads/<int:pk>/land/", views.LandView.as_view(), name="lead_land"),
    path("progress/", views.ProgressView.as_view(), name="progress"),
    *crud_urls(
        "leads",
        "lead",
        list_view=views.LeadListView,
        detail_view=views.LeadDetailView,
        edit_view=views.LeadEditView,
        delete_view=views.LeadDeleteView,
        import_view=views.LeadImportView,
    ),
    *crud_urls(
        "events",
        "event",
        list_view=views.EventListView,
        detail_view=views.EventDetailView,
        edit_view=views.EventEditView,
        delete_view=views.EventDeleteView,
    ),
    *crud_urls(
        "signings",
        "signing",
        list_view=views.SigningListView,
        detail_view=views.SigningDetailView,
        edit_view=views.SigningEditView,
        delete_view=views.SigningDeleteView,
    ),
    *crud_urls(
        "funds",
        "fundsinplace",
        list_view=views.FundsListView,
        detail_view=views.FundsDetailView,
        edit_view=views.FundsEditView,
        delete_view=views.FundsDeleteView,
    ),
    *crud_urls(
        "targets",
        "annualtarget",
        list_view=views.TargetListView,
        detail_view=views.TargetDetailView,
        edit_view=views.TargetEditView,
        delete_view=views.TargetDeleteView,
    ),
]
