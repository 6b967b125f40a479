"""Check-in pages: a learner's under their enrolment (my/…), the cohort staff's under the cohort (cohorts/…)."""

from django.urls import path

from credo.programmes.views import checkins as views

urlpatterns = [
    path("my/<int:enrolment_id>/check-ins/", views.learner_page, name="checkins-learner"),
    path("my/<int:enrolment_id>/check-ins/book", views.book, name="checkins-book"),
    path("my/<int:enrolment_id>/check-ins/<int:booking_id>/reschedule", views.reschedule, name="checkins-reschedule"),
    path("my/<int:enrolment_id>/check-ins/<int:booking_id>/cancel", views.cancel, name="checkins-cancel"),
    path("cohorts/<uuid:public_id>/check-ins/", views.staff_page, name="checkins-staff"),
    path(
        "cohorts/<uuid:public_id>/check-ins/slots/<int:slot_id>/withdraw",
        views.withdraw_slot,
        name="checkins-withdraw-slot",
    ),
    path(
        "cohorts/<uuid:public_id>/check-ins/<int:booking_id>/cancel", views.staff_cancel, name="checkins-staff-cancel"
    ),
    path("cohorts/<uuid:public_id>/check-ins/<int:booking_id>/notes", views.notes, name="checkins-notes"),
]
