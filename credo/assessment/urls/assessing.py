"""Assessment pages: assessing (the queue, a cohort's assessors and settings, the assessment page)."""

from django.urls import URLPattern, path

from credo.assessment.views import assessing as views

urlpatterns: list[URLPattern] = [
    path("queue/", views.queue, name="queue"),
    path("queue/<int:submission_id>/take", views.take, name="take"),
    path("cohorts/<uuid:public_id>/assessors/", views.cohort_assessors, name="cohort-assessors"),
    path(
        "cohorts/<uuid:public_id>/submissions/<int:submission_id>/assign",
        views.assign_submission,
        name="assign-submission",
    ),
    path("cohorts/<uuid:public_id>/settings/", views.cohort_settings, name="cohort-settings"),
    path("assessments/<int:assessment_id>/", views.assessment_page, name="assessment"),
    path("assessments/<int:assessment_id>/files/<int:file_id>", views.assessment_file, name="assessment-file"),
]
