"""Support threads: the learner's, and each cohort's inbox and threads for its facilitators."""

from django.urls import URLPattern, path

from credo.programmes.views import support as views

urlpatterns: list[URLPattern] = [
    path("my/<int:enrolment_id>/support/", views.learner_thread, name="support-learner"),
    path("cohorts/<uuid:public_id>/support/", views.inbox, name="support-inbox"),
    path("cohorts/<uuid:public_id>/support/<int:thread_id>/", views.staff_thread, name="support-thread"),
]
