from django.urls import path

from zoneops.core.ui.generic import crud_urls
from zoneops.indicators import views

app_name = "indicators"

urlpatterns = [
    path("progress/", views.ProgressView.as_view(), name="progress"),
    path("progress/recompute/", views.RecomputeView.as_view(), name="recompute"),
    path("ranking/", views.RankingView.as_view(), name="ranking"),
    *crud_urls(
        "values",
        "indicatorvalue",
        list_view=views.IndicatorValueListView,
        detail_view=views.IndicatorValueDetailView,
        edit_view=views.IndicatorValueEditView,
        delete_view=views.IndicatorValueDeleteView,
        import_view=views.IndicatorValueImportView,
    ),
    *crud_urls(
        "targets",
        "target",
        list_view=views.TargetListView,
        detail_view=views.TargetDetailView,
        edit_view=views.TargetEditView,
        delete_view=views.TargetDeleteView,
        import_view=views.TargetImportView,
    ),
    *crud_urls(
        "months",
        "monthclose",
        list_view=views.MonthCloseListView,
        detail_view=views.MonthCloseDetailView,
    ),
    path("months/approve/", views.MonthCloseApproveView.as_view(), name="monthclose_add"),
    *crud_urls(
        "",
        "indicator",
        list_view=views.IndicatorListView,
        detail_view=views.IndicatorDetailView,
        edit_view=views.IndicatorEditView,
        delete_view=views.IndicatorDeleteView,
    ),
]
