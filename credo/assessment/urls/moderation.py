"""Assessment pages: moderation (IQA), the learner's outcomes, appeals."""

from django.urls import URLPattern, path

from credo.assessment.views import appeals, learner, moderation

urlpatterns: list[URLPattern] = [
    path("cohorts/<uuid:public_id>/sampling-plan/", moderation.sampling_plan, name="sampling-plan"),
    path("cohorts/<uuid:public_id>/moderation/", moderation.cohort_moderation, name="cohort-moderation"),
    path(
        "cohorts/<uuid:public_id>/moderation/records/<str:record>.<str:fmt>",
        moderation.export,
        name="moderation-record",
    ),
    path("moderation/<int:entry_id>/", moderation.review, name="moderation-review"),
    path("outcomes/", learner.outcomes, name="outcomes"),
    path("outcomes/<int:assessment_id>/", learner.outcome, name="outcome"),
    path("appeals/<int:appeal_id>/", appeals.review, name="appeal"),
]
