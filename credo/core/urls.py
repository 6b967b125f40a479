from django.urls import path

from credo.core import views_jobs

urlpatterns = [
    path("", views_jobs.job_list, name="jobs"),
    path("<uuid:public_id>/", views_jobs.job_detail, name="job"),
    path("<uuid:public_id>/progress", views_jobs.job_progress, name="job-progress"),
    path("<uuid:public_id>/retry", views_jobs.job_retry, name="job-retry"),
    path("<uuid:public_id>/download", views_jobs.job_download, name="job-download"),
]
