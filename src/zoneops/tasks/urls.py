from zoneops.core.ui.generic import crud_urls
from zoneops.tasks import views

app_name = "tasks"

urlpatterns = [
    *crud_urls(
        "campaigns",
        "campaign",
        list_view=views.CampaignListView,
        detail_view=views.CampaignDetailView,
        edit_view=views.CampaignEditView,
        delete_view=views.CampaignDeleteView,
    ),
    *crud_urls(
        "goals",
        "goal",
        list_view=views.GoalListView,
        detail_view=views.GoalDetailView,
        edit_view=views.GoalEditView,
        delete_view=views.GoalDeleteView,
    ),
    *crud_urls(
        "milestones",
        "milestone",
        list_view=views.MilestoneListView,
        detail_view=views.MilestoneDetailView,
        edit_view=views.MilestoneEditView,
        delete_view=views.MilestoneDeleteView,
    ),
    *crud_urls(
        "updates",
        "progressupdate",
        list_view=views.ProgressUpdateListView,
        detail_view=views.ProgressUpdateDetailView,
        edit_view=views.ProgressUpdateEditView,
        delete_view=views.ProgressUpdateDeleteView,
    ),
    *crud_urls(
        "",
        "task",
        list_view=views.TaskListView,
        detail_view=views.TaskDetailView,
        edit_view=views.TaskEditView,
        delete_view=views.TaskDeleteView,
        import_view=views.TaskImportView,
    ),
]
