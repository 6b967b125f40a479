"""Assessment pages: the provider's pipeline (every cohort, and one cohort's chart)."""

from django.urls import URLPattern, path

from credo.assessment.views import pipeline as views

urlpatterns: list[URLPattern] = [
    path("pipeline/", views.pipeline_list, name="pipeline"),
    path("pipeline/<uuid:public_id>/", views.cohort_pipeline, name="cohort_pipeline"),
]
