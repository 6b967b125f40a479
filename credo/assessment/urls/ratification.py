"""Assessment pages: ratification (the provider sends; the issuing institution returns or ratifies)."""

from django.urls import URLPattern, path

from credo.assessment.views import ratification as views

urlpatterns: list[URLPattern] = [
    path("cohorts/<uuid:public_id>/ratification/", views.cohort_ratification, name="ratification_cohort"),
    path("cohorts/<uuid:public_id>/ratification/send/", views.send, name="ratification_send"),
    path("ratification/institutions/<slug:slug>/", views.batches, name="ratification_batches"),
    path("ratification/batches/<int:pk>/", views.batch, name="ratification_batch"),
    path("ratification/batches/<int:pk>/ratify/", views.ratify, name="ratification_ratify"),
    path("ratification/batches/<int:pk>/record.csv", views.record_csv, name="ratification_record_csv"),
    path("ratification/batches/<int:pk>/record.pdf", views.record_pdf, name="ratification_record_pdf"),
    path("ratification/batches/<int:pk>/learners/<int:entry_id>/", views.entry, name="ratification_entry"),
    path(
        "ratification/batches/<int:pk>/learners/<int:entry_id>/return/",
        views.return_learner,
        name="ratification_return",
    ),
]
