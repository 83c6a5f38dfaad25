from zoneops.core.ui.generic import crud_urls
from zoneops.intake import views

app_name = "intake"

urlpatterns = [
    *crud_urls(
        "",
        "document",
        list_view=views.DocumentListView,
        detail_view=views.DocumentDetailView,
        edit_view=views.DocumentEditView,
        delete_view=views.DocumentDeleteView,
    ),
    *crud_urls(
        "statements",
        "statement",
        list_view=views.StatementListView,
        detail_view=views.StatementDetailView,
    ),
]
