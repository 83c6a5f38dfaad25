from django.urls import path

from zoneops.jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.JobListView.as_view(), name="job_list"),
    path("<int:pk>/", views.JobDetailView.as_view(), name="job_detail"),
    path("<int:pk>/progress/", views.JobProgressView.as_view(), name="job_progress"),
    path("<int:pk>/cancel/", views.JobCancelView.as_view(), name="job_cancel"),
    path("<int:pk>/result/", views.JobResultView.as_view(), name="job_result"),
]
